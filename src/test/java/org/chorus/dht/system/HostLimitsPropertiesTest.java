package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code chorus.dht.limits.*}, {@code allowed-peers} and {@code denied-peers} map onto the host's
 * config: the property defaults are the host's defaults, every key reaches its knob, and a bad
 * value names what is wrong.
 */
class HostLimitsPropertiesTest {

  static ChorusProperties.Dht bind(Map<String, String> props) {
    return new Binder(new MapConfigurationPropertySource(props))
        .bindOrCreate("chorus", Bindable.of(ChorusProperties.class))
        .dht();
  }

  @Test
  void thePropertyDefaultsAreTheHostDefaults() {
    HostConfig mapped = NetworkBackendConfiguration.hostConfig(bind(Map.of()));
    assertThat(mapped.limits()).isEqualTo(ConnectionLimits.DEFAULT);
    assertThat(mapped.yamux()).isEqualTo(YamuxConfig.DEFAULT);
    assertThat(mapped.maxPeers()).isEqualTo(HostConfig.DEFAULT_MAX_PEERS);
    assertThat(mapped.peerTtl()).isEqualTo(HostConfig.DEFAULT_PEER_TTL);
    assertThat(mapped.peerGcInterval()).isEqualTo(HostConfig.DEFAULT_PEER_GC_INTERVAL);
    assertThat(mapped.allowedPeers()).isEmpty();
    assertThat(mapped.deniedPeers()).isEmpty();
    assertThat(mapped).isEqualTo(HostConfig.DEFAULT);
  }

  @Test
  void everyKeyReachesItsKnob() {
    String allowed = IdentityKey.generate().peerId().toString();
    String denied = IdentityKey.generate().peerId().toString();
    HostConfig c =
        NetworkBackendConfiguration.hostConfig(
            bind(
                Map.ofEntries(
                    Map.entry("chorus.dht.limits.max-inbound-connections", "100"),
                    Map.entry("chorus.dht.limits.max-outbound-connections", "50"),
                    Map.entry("chorus.dht.limits.max-inbound-per-ip", "4"),
                    Map.entry("chorus.dht.limits.max-connections-per-peer", "2"),
                    Map.entry("chorus.dht.limits.handshake-timeout", "3s"),
                    Map.entry("chorus.dht.limits.max-streams-per-connection", "64"),
                    Map.entry("chorus.dht.limits.max-connection-memory", "4MB"),
                    Map.entry("chorus.dht.limits.max-memory", "64MB"),
                    Map.entry("chorus.dht.limits.max-peers", "500"),
                    Map.entry("chorus.dht.limits.peer-ttl", "30m"),
                    Map.entry("chorus.dht.limits.peer-gc-interval", "1m"),
                    Map.entry("chorus.dht.allowed-peers[0]", allowed),
                    Map.entry("chorus.dht.denied-peers[0]", denied))));
    ConnectionLimits l = c.limits();
    assertThat(l.maxInboundConnections()).isEqualTo(100);
    assertThat(l.maxOutboundConnections()).isEqualTo(50);
    assertThat(l.maxInboundPerIp()).isEqualTo(4);
    assertThat(l.maxConnectionsPerPeer()).isEqualTo(2);
    assertThat(l.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.yamux().maxStreams()).isEqualTo(64);
    assertThat(l.maxConnectionMemory()).isEqualTo(4L << 20);
    assertThat(l.maxMemory()).isEqualTo(64L << 20);
    assertThat(c.maxPeers()).isEqualTo(500);
    assertThat(c.peerTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.peerGcInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.allowedPeers()).extracting(Object::toString).containsExactly(allowed);
    assertThat(c.deniedPeers()).extracting(Object::toString).containsExactly(denied);
  }

  @Test
  void aBadValueNamesWhatIsWrong() {
    assertThatThrownBy(
            () ->
                NetworkBackendConfiguration.hostConfig(
                    bind(Map.of("chorus.dht.limits.max-inbound-per-ip", "0"))))
        .hasMessageContaining("chorus.dht.limits")
        .hasMessageContaining("maxInboundPerIp");
    assertThatThrownBy(
            () ->
                NetworkBackendConfiguration.hostConfig(
                    bind(Map.of("chorus.dht.denied-peers[0]", "not-a-peer"))))
        .hasMessageContaining("chorus.dht.denied-peers[0]");
  }
}
