package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

/** Each cap of {@link ResourceManager}: cap + 1 refused and counted; slots come back on release. */
class ResourceManagerTest {
  static final Runnable NONE = () -> {};

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  static ResourceManager manager(ConnectionLimits.Builder b) {
    return new ResourceManager(b.build());
  }

  @Test
  void inboundCapPlusOne() throws Exception {
    ResourceManager rm = manager(ConnectionLimits.builder().maxInboundConnections(3));
    for (int i = 0; i < 3; i++) {
      ResourceManager.Lease l = rm.inbound(ip("127.0.0." + (2 + i)), NONE);
      assertThat(l).isNotNull();
      l.secured();
    }
    assertThat(rm.inbound(ip("127.0.0.9"), NONE)).isNull();
    assertThat(rm.refused(Refusal.INBOUND_FULL)).isEqualTo(1);
    assertThat(rm.connections(Connection.Direction.INBOUND)).isEqualTo(3);
  }

  @Test
  void outboundSlotsAreApartFromInboundOnes() throws Exception {
    ResourceManager rm =
        manager(ConnectionLimits.builder().maxInboundConnections(1).maxOutboundConnections(2));
    assertThat(rm.inbound(ip("127.0.0.2"), NONE)).isNotNull();
    assertThat(rm.inbound(ip("127.0.0.3"), NONE)).isNull(); // inbound full
    ResourceManager.Lease a = rm.outbound();
    assertThat(a).isNotNull();
    assertThat(rm.outbound()).isNotNull();
    assertThat(rm.outbound()).isNull(); // outbound cap + 1
    assertThat(rm.refused(Refusal.OUTBOUND_FULL)).isEqualTo(1);
    a.release();
    a.release(); // idempotent
    assertThat(rm.connections(Connection.Direction.OUTBOUND)).isEqualTo(1);
    assertThat(rm.outbound()).isNotNull();
  }

  @Test
  void perIpCapPlusOneCountsEveryLoopbackAddressOnItsOwn() throws Exception {
    ResourceManager rm = manager(ConnectionLimits.builder().maxInboundPerIp(2));
    assertThat(rm.inbound(ip("127.0.0.2"), NONE)).isNotNull();
    ResourceManager.Lease second = rm.inbound(ip("127.0.0.2"), NONE);
    assertThat(second).isNotNull();
    assertThat(rm.inbound(ip("127.0.0.2"), NONE)).isNull(); // cap + 1
    assertThat(rm.refused(Refusal.PER_IP)).isEqualTo(1);
    assertThat(rm.inbound(ip("127.0.0.3"), NONE)).isNotNull(); // another address
    assertThat(rm.inboundByAddress()).containsEntry(ip("127.0.0.2"), 2);
    second.release();
    assertThat(rm.inbound(ip("127.0.0.2"), NONE)).isNotNull();
  }

  @Test
  void ipv6CountsPerSlash64() throws Exception {
    ResourceManager rm = manager(ConnectionLimits.builder().maxInboundPerIp(1));
    assertThat(rm.inbound(ip("2001:db8:1:2::1"), NONE)).isNotNull();
    assertThat(rm.inbound(ip("2001:db8:1:2::ffff"), NONE)).isNull(); // same /64
    assertThat(rm.inbound(ip("2001:db8:1:3::1"), NONE)).isNotNull();
  }

  @Test
  void perPeerCapPlusOne() throws Exception {
    ResourceManager rm = manager(ConnectionLimits.builder().maxConnectionsPerPeer(2));
    PeerId peer = IdentityKey.generate().peerId();
    ResourceManager.Lease a = rm.inbound(ip("127.0.0.2"), NONE);
    ResourceManager.Lease b = rm.outbound();
    ResourceManager.Lease c = rm.inbound(ip("127.0.0.3"), NONE);
    assertThat(a.admitPeer(peer)).isTrue();
    assertThat(b.admitPeer(peer)).isTrue(); // both directions count
    assertThat(c.admitPeer(peer)).isFalse(); // cap + 1
    assertThat(rm.refused(Refusal.PER_PEER)).isEqualTo(1);
    assertThat(c.admitPeer(IdentityKey.generate().peerId())).isTrue();
    a.release();
    assertThat(rm.inbound(ip("127.0.0.4"), NONE).admitPeer(peer)).isTrue();
  }

  @Test
  void aFullSetOfSlotsGivesWayToANewcomerFromALessRepresentedAddress() throws Exception {
    ResourceManager rm =
        manager(ConnectionLimits.builder().maxInboundConnections(4).maxInboundPerIp(8));
    AtomicInteger closed = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      assertThat(rm.inbound(ip("127.0.0.2"), closed::incrementAndGet)).isNotNull(); // handshaking
    }
    assertThat(rm.inbound(ip("127.0.0.3"), NONE)).isNotNull();
    // full: 127.0.0.4 (0 connections) takes a slot of 127.0.0.2 (3, in their handshake)
    assertThat(rm.inbound(ip("127.0.0.4"), NONE)).isNotNull();
    assertThat(closed).hasValue(1);
    assertThat(rm.refused(Refusal.EVICTED)).isEqualTo(1);
    assertThat(rm.inboundByAddress())
        .containsEntry(ip("127.0.0.2"), 2)
        .containsEntry(ip("127.0.0.4"), 1);
    // 127.0.0.3 has 1, the most represented has 2: not fair enough to evict, so refused
    assertThat(rm.inbound(ip("127.0.0.3"), NONE)).isNull();
    assertThat(rm.refused(Refusal.INBOUND_FULL)).isEqualTo(1);
    assertThat(rm.connections(Connection.Direction.INBOUND)).isEqualTo(4);
  }

  @Test
  void establishedConnectionsAreNeverEvicted() throws Exception {
    ResourceManager rm = manager(ConnectionLimits.builder().maxInboundConnections(2));
    AtomicInteger closed = new AtomicInteger();
    rm.inbound(ip("127.0.0.2"), closed::incrementAndGet).secured();
    rm.inbound(ip("127.0.0.2"), closed::incrementAndGet).secured();
    assertThat(rm.inbound(ip("127.0.0.3"), NONE)).isNull();
    assertThat(closed).hasValue(0);
  }

  @Test
  void connectionMemoryIsCappedPerConnectionAndForAll() {
    ResourceManager rm =
        manager(ConnectionLimits.builder().maxConnectionMemory(2 << 20).maxMemory(3 << 20));
    var a = rm.connectionMemory();
    var b = rm.connectionMemory();
    assertThat(a.reserve(2 << 20)).isTrue();
    assertThat(a.reserve(1)).isFalse();
    assertThat(rm.refused(Refusal.MEMORY)).isEqualTo(1);
    assertThat(b.reserve(1 << 20)).isTrue();
    assertThat(b.reserve(1)).isFalse();
    assertThat(rm.refused(Refusal.MEMORY_TOTAL)).isEqualTo(1);
    assertThat(rm.memoryUsed()).isEqualTo(3 << 20);
  }

  @Test
  void limitsAreValidatedNamingTheKnob() {
    assertThatThrownBy(() -> ConnectionLimits.builder().maxOutboundConnections(0).build())
        .hasMessageContaining("maxOutboundConnections");
    assertThatThrownBy(() -> ConnectionLimits.builder().maxInboundPerIp(0).build())
        .hasMessageContaining("maxInboundPerIp");
    assertThatThrownBy(() -> ConnectionLimits.builder().maxConnectionsPerPeer(0).build())
        .hasMessageContaining("maxConnectionsPerPeer");
    assertThatThrownBy(() -> ConnectionLimits.builder().handshakeTimeout(Duration.ZERO).build())
        .hasMessageContaining("handshakeTimeout");
    assertThatThrownBy(() -> ConnectionLimits.builder().maxConnectionMemory(1000).build())
        .hasMessageContaining("maxConnectionMemory");
    assertThatThrownBy(
            () ->
                ConnectionLimits.builder()
                    .maxConnectionMemory(32 << 20)
                    .maxMemory(16 << 20)
                    .build())
        .hasMessageContaining("maxMemory");
    assertThat(ConnectionLimits.DEFAULT.toBuilder().build()).isEqualTo(ConnectionLimits.DEFAULT);
    assertThat(ConnectionLimits.DEFAULT.maxInboundPerIp()).isEqualTo(8);
    assertThat(ConnectionLimits.DEFAULT.maxConnectionMemory()).isEqualTo(16 << 20);
  }
}
