package org.chorus.dht.p2p.protocol.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.DialResponse;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.Status;
import org.chorus.dht.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** AutoNAT between real hosts on loopback TCP: dial-backs, refusals, limits, the verdict. */
class AutoNatLoopbackTest {
  static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  /** Generous: no test here waits for a timeout, so they only bound a dial-back on a busy box. */
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
  }

  static AutoNatConfig.Builder onDemand() {
    return AutoNatConfig.builder()
        .dialTimeout(Duration.ofSeconds(10))
        .requestTimeout(TIMEOUT)
        .bootDelay(Duration.ofHours(1)); // probes only when a test asks
  }

  Host host(AutoNatConfig autonat) throws Exception {
    Host h =
        Host.create(
            HostConfig.builder().ioThreads(1).autonat(autonat).build(), IdentityKey.generate());
    hosts.add(h);
    h.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    return h;
  }

  /** {@code client} connected to {@code server}, identify done. */
  static Connection connect(Host client, Host server) throws Exception {
    Connection c =
        client
            .dial(server.listenAddrs().get(0).withPeerId(server.peerId()))
            .get(10, TimeUnit.SECONDS);
    client.identified(c).get(10, TimeUnit.SECONDS);
    return c;
  }

  /** A loopback TCP address nobody listens on (the port was free a moment ago). */
  static Multiaddr closedPort() throws Exception {
    return Multiaddr.parse("/ip4/127.0.0.1/tcp/" + NodeProcess.freePort());
  }

  static DialResponse dialBack(Connection c, List<Multiaddr> addrs) throws Exception {
    return AutoNat.dialBack(c, addrs, TIMEOUT).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aReachableListenerIsDialledBackAndTheVerdictIsPublic() throws Exception {
    Host server = host(onDemand().build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);

    DialResponse r = dialBack(c, client.advertisedAddrs());
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(r.addr()).contains(client.listenAddrs().get(0));
    assertThat(server.autoNatServer().dialled()).isEqualTo(1);

    assertThat(client.reachability()).isEqualTo(Reachability.UNKNOWN);
    // one AutoNAT peer connected: one answer decides
    assertThat(client.probeReachability().get(30, TimeUnit.SECONDS)).isEqualTo(Reachability.PUBLIC);
  }

  @Test
  void aClaimedAddressNobodyListensOnIsADialErrorAndTheVerdictIsPrivate() throws Exception {
    Host server = host(onDemand().build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    Multiaddr closed = closedPort();

    assertThat(dialBack(c, List.of(closed)).status()).isEqualTo(Status.E_DIAL_ERROR);
    assertThat(server.autoNatServer().failed()).isEqualTo(1);

    client.setAnnounceAddrs(List.of(closed));
    assertThat(client.advertisedAddrs()).containsExactly(closed);
    assertThat(client.probeReachability().get(30, TimeUnit.SECONDS))
        .isEqualTo(Reachability.PRIVATE);
    // back to the real listen address: reachable again
    client.setAnnounceAddrs(List.of());
    assertThat(client.probeReachability().get(30, TimeUnit.SECONDS)).isEqualTo(Reachability.PUBLIC);
  }

  @Test
  void onlyTheObservedIpIsDialled() throws Exception {
    Host server = host(onDemand().build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    // another IP (never dialled: the filter drops it before any connect), a DNS name, no TCP
    List<Multiaddr> foreign =
        List.of(
            Multiaddr.parse("/ip4/10.9.8.7/tcp/4001"),
            Multiaddr.parse("/dns4/localhost/tcp/4001"),
            Multiaddr.parse("/memory/7"));
    DialResponse r = dialBack(c, foreign);
    assertThat(r.status()).isEqualTo(Status.E_DIAL_REFUSED);
    assertThat(server.autoNatServer().refused()).isEqualTo(1);
    assertThat(server.autoNatServer().dialled() + server.autoNatServer().failed()).isZero();
    // a refusal says nothing about us
    assertThat(client.probeReachability().get(30, TimeUnit.SECONDS))
        .isEqualTo(Reachability.PUBLIC); // the real (advertised) address is fine
  }

  @Test
  void aDialForAnotherPeerIsABadRequest() throws Exception {
    Host server = host(onDemand().build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    AutoNatMessage.Dial forged =
        new AutoNatMessage.Dial(
            Optional.of(IdentityKey.generate().peerId()), client.advertisedAddrs());
    DialResponse r =
        (DialResponse) raw(c, AutoNatCodec.encode(forged), true).get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(Status.E_BAD_REQUEST);
    assertThat(r.statusText()).contains("mismatch");
  }

  @Test
  void garbageIsABadRequestAndAnOversizeFrameResetsTheStream() throws Exception {
    Host server = host(onDemand().build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    DialResponse r =
        (DialResponse) raw(c, new byte[] {(byte) 0xff, 0x00, 0x13}, true).get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(Status.E_BAD_REQUEST);

    byte[] prefix = Varint.encode(AutoNatCodec.MAX_MESSAGE + 1);
    CompletableFuture<AutoNatMessage> oversize = raw(c, prefix, false);
    assertThatThrownBy(() -> oversize.get(10, TimeUnit.SECONDS)).hasMessageContaining("reset");
    assertThat(c.isOpen()).isTrue();
    assertThat(dialBack(c, client.advertisedAddrs()).status()).isEqualTo(Status.OK);
  }

  @Test
  void dialsPerPeerAreLimited() throws Exception {
    Host server = host(onDemand().maxDialsPerPeer(1).build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    assertThat(dialBack(c, client.advertisedAddrs()).status()).isEqualTo(Status.OK);
    DialResponse second = dialBack(c, client.advertisedAddrs());
    assertThat(second.status()).isEqualTo(Status.E_DIAL_REFUSED);
    assertThat(second.statusText()).contains("too many");
  }

  @Test
  void aDialWeCannotMakeIsARefusalNotADialError() throws Exception {
    Host server =
        Host.create(
            HostConfig.builder()
                .ioThreads(1)
                .limits(ConnectionLimits.builder().maxOutboundConnections(1).build())
                .autonat(onDemand().build())
                .build(),
            IdentityKey.generate());
    hosts.add(server);
    server.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    Host other = host(onDemand().build());
    connect(server, other); // the server's only outbound slot
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    DialResponse r = dialBack(c, client.advertisedAddrs());
    assertThat(r.status()).isEqualTo(Status.E_DIAL_REFUSED);
    assertThat(server.autoNatServer().failed()).isZero();
  }

  @Test
  void probingAClosedHostAnswersAtOnce() throws Exception {
    Host h = host(onDemand().build());
    h.close();
    h.startAutoNat(); // no effect, no exception
    assertThat(h.probeReachability().get(30, TimeUnit.SECONDS)).isEqualTo(Reachability.UNKNOWN);
  }

  @Test
  void aDisabledServerDoesNotAdvertiseOrServeTheProtocol() throws Exception {
    Host server = host(onDemand().serverEnabled(false).build());
    Host client = host(onDemand().build());
    Connection c = connect(client, server);
    assertThat(client.peerStore().get(server.peerId()).orElseThrow().protocols())
        .doesNotContain(AutoNat.PROTOCOL.value())
        .contains("/ipfs/id/push/1.0.0");
    assertThatThrownBy(() -> dialBack(c, client.advertisedAddrs()))
        .hasMessageContaining("supports none");
    // no AutoNAT peer: nothing to ask, nothing decided
    assertThat(client.probeReachability().get(30, TimeUnit.SECONDS))
        .isEqualTo(Reachability.UNKNOWN);
  }

  /**
   * Sends {@code bytes} on a new AutoNAT stream (length-prefixed if {@code frame}) and completes
   * with the first message back.
   */
  static CompletableFuture<AutoNatMessage> raw(Connection c, byte[] bytes, boolean frame)
      throws Exception {
    Stream s = c.newStream(AutoNat.PROTOCOL).get(10, TimeUnit.SECONDS);
    CompletableFuture<AutoNatMessage> got = new CompletableFuture<>();
    s.setListener(
        LengthPrefixed.listener(
            AutoNatCodec.MAX_MESSAGE,
            new LengthPrefixed.Handler() {
              @Override
              public void onMessage(Stream st, byte[] message) {
                got.complete(AutoNatCodec.decode(message));
              }

              @Override
              public void onEnd(Stream st, boolean clean) {
                got.completeExceptionally(new IllegalStateException("closed"));
              }

              @Override
              public void onError(Stream st, Throwable cause) {
                got.completeExceptionally(new IllegalStateException("reset: " + cause));
              }
            }));
    if (frame) {
      LengthPrefixed.write(s, bytes);
    } else {
      s.write(bytes);
    }
    return got;
  }
}
