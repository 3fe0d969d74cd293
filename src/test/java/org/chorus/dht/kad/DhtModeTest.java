package org.chorus.dht.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.protocol.autonat.AutoNatConfig;
import org.chorus.dht.p2p.protocol.autonat.Reachability;
import org.chorus.dht.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Server, client and auto mode on real hosts over loopback TCP: an auto node whose announced
 * address nobody can dial becomes a client (stops advertising kad, leaves its peers' tables, still
 * reads and writes through them) and a server again once it is reachable; explicit modes never
 * follow reachability.
 */
@Tag("cluster")
class DhtModeTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final HostConfig HOST =
      HostConfig.builder()
          .ioThreads(1)
          .autonat(
              AutoNatConfig.builder()
                  .dialTimeout(Duration.ofSeconds(3))
                  .requestTimeout(Duration.ofSeconds(5))
                  .bootDelay(Duration.ofHours(1)) // the first probe is the test's; then the pace
                  .retryInterval(Duration.ofMillis(200))
                  .refreshInterval(Duration.ofMillis(300))
                  .maxDialsPerPeer(10_000)
                  .build())
          .build();

  record Node(Host host, Dht dht, Multiaddr addr) {}

  final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Node n : nodes) {
      n.dht().close();
      n.host().close();
    }
  }

  Node start(KadConfig.Mode mode, List<Multiaddr> announce) throws Exception {
    Host h = Host.create(HOST, IdentityKey.generate());
    Multiaddr a = h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    h.setAnnounceAddrs(announce);
    Clock clock = Clock.systemUTC();
    Dht d =
        new Dht(
            h,
            KadConfig.builder().mode(mode).queryTimeout(Duration.ofSeconds(10)).build(),
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            NamespacedValidator.permissiveChorus(),
            clock,
            QueryTimer.SYSTEM);
    d.start();
    Node n = new Node(h, d, a.withPeerId(h.peerId()));
    nodes.add(n);
    return n;
  }

  List<Node> servers(int n) throws Exception {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(start(KadConfig.Mode.SERVER, List.of()));
    }
    for (int i = 1; i < n; i++) {
      out.get(i).dht().bootstrap(List.of(out.get(0).addr())).get(20, TimeUnit.SECONDS);
    }
    return out;
  }

  static Multiaddr closedPort() throws Exception {
    return Multiaddr.parse("/ip4/127.0.0.1/tcp/" + NodeProcess.freePort());
  }

  static boolean advertisesKad(Node at, Node peer) {
    return at.host()
        .peerStore()
        .get(peer.host().peerId())
        .orElseThrow()
        .protocols()
        .contains(peer.dht().protocol().value());
  }

  static boolean inTable(Node at, Node peer) {
    return at.dht().routingTable().contains(peer.host().peerId());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anUnreachableAutoNodeBecomesAClientAndAServerAgainOnceReachable() throws Exception {
    List<Node> servers = servers(3);
    // x joins as a server (so its peers' tables hold it), then turns to auto
    Node x = start(KadConfig.Mode.SERVER, List.of(closedPort()));
    x.dht().bootstrap(servers.stream().map(Node::addr).toList()).get(20, TimeUnit.SECONDS);
    for (Node s : servers) {
      await().atMost(WAIT).until(() -> inTable(s, x));
    }
    x.dht().setMode(KadConfig.Mode.AUTO);
    // unknown reachability: auto serves
    assertThat(x.host().reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(x.dht().isServer()).isTrue();
    assertThat(x.dht().stats().mode()).isEqualTo("auto (server)");

    x.host().probeReachability(); // the first probe; the retry pace takes it from there
    await().atMost(WAIT).until(() -> x.host().reachability() == Reachability.PRIVATE);
    await().atMost(WAIT).until(() -> !x.dht().isServer());
    assertThat(x.dht().stats().mode()).isEqualTo("auto (client)");
    assertThat(x.host().protocols()).doesNotContain(x.dht().protocol());
    for (Node s : servers) {
      // the identify push told every peer; each dropped x from its table
      await().atMost(WAIT).until(() -> !advertisesKad(s, x) && !inTable(s, x));
    }

    // the client still writes and reads through the servers
    Dht.PutResult put =
        x.dht().putValue(bytes("/CHORUS/ucxl/from-client"), bytes("c")).get(20, TimeUnit.SECONDS);
    assertThat(put.accepted()).isEqualTo(servers.size());
    GetResult atServer =
        servers
            .get(1)
            .dht()
            .getValue(bytes("/CHORUS/ucxl/from-client"), 1)
            .get(20, TimeUnit.SECONDS);
    assertThat(atServer).isInstanceOf(GetResult.Found.class);
    servers
        .get(2)
        .dht()
        .putValue(bytes("/CHORUS/ucxl/from-server"), bytes("s"))
        .get(20, TimeUnit.SECONDS);
    GetResult atClient =
        x.dht().getValue(bytes("/CHORUS/ucxl/from-server"), 1).get(20, TimeUnit.SECONDS);
    assertThat(atClient).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) atClient).value()).isEqualTo(bytes("s"));
    // and a lookup from a server no longer finds x among the closest peers
    assertThat(
            servers
                .get(0)
                .dht()
                .getClosestPeers(bytes("/CHORUS/ucxl/any"))
                .get(20, TimeUnit.SECONDS))
        .doesNotContain(x.host().peerId());

    // reachable again: announce the real listen address
    x.host().setAnnounceAddrs(List.of());
    await().atMost(WAIT).until(() -> x.host().reachability() == Reachability.PUBLIC);
    await().atMost(WAIT).until(() -> x.dht().isServer());
    assertThat(x.dht().stats().mode()).isEqualTo("auto (server)");
    for (Node s : servers) {
      await().atMost(WAIT).until(() -> advertisesKad(s, x) && inTable(s, x));
    }
  }

  @Test
  void anAutoNodeProbesByItselfAsSoonAsItMeetsAutoNatPeers() throws Exception {
    List<Node> servers = servers(2);
    Node y = start(KadConfig.Mode.AUTO, List.of(closedPort()));
    assertThat(y.dht().isServer()).isTrue();
    assertThat(y.dht().stats().mode()).isEqualTo("auto (server)");
    // no probe asked for: identify of an AutoNAT peer starts one while reachability is unknown
    y.dht().bootstrap(servers.stream().map(Node::addr).toList()).get(20, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> y.host().reachability() == Reachability.PRIVATE);
    await().atMost(WAIT).until(() -> !y.dht().isServer());
    for (Node s : servers) {
      await().atMost(WAIT).until(() -> !advertisesKad(s, y) && !inTable(s, y));
    }
  }

  @Test
  void explicitModesNeverFollowReachabilityButSetModeSwitches() throws Exception {
    Node base = servers(1).get(0);
    Node server = start(KadConfig.Mode.SERVER, List.of(closedPort()));
    Node client = start(KadConfig.Mode.CLIENT, List.of());
    server.dht().bootstrap(List.of(base.addr())).get(20, TimeUnit.SECONDS);
    client.dht().bootstrap(List.of(base.addr())).get(20, TimeUnit.SECONDS);
    assertThat(client.dht().stats().routingTableSize()).isEqualTo(1); // the client uses base
    await().atMost(WAIT).until(() -> inTable(base, server));
    assertThat(inTable(base, client)).isFalse();
    assertThat(advertisesKad(base, client)).isFalse();

    // neither probes by itself (only auto does); ask each once
    assertThat(server.host().probeReachability().get(10, TimeUnit.SECONDS))
        .isEqualTo(Reachability.PRIVATE);
    assertThat(client.host().probeReachability().get(10, TimeUnit.SECONDS))
        .isEqualTo(Reachability.PUBLIC);
    assertThat(server.dht().isServer()).isTrue();
    assertThat(server.dht().stats().mode()).isEqualTo("server");
    assertThat(client.dht().isServer()).isFalse();
    assertThat(client.dht().stats().mode()).isEqualTo("client");
    assertThat(inTable(base, server)).isTrue();

    // switching at run time: the client turns auto (public, so it serves), the server a client
    client.dht().setMode(KadConfig.Mode.AUTO);
    assertThat(client.dht().isServer()).isTrue();
    assertThat(client.dht().stats().mode()).isEqualTo("auto (server)");
    await().atMost(WAIT).until(() -> advertisesKad(base, client) && inTable(base, client));
    server.dht().setMode(KadConfig.Mode.CLIENT);
    assertThat(server.dht().isServer()).isFalse();
    await().atMost(WAIT).until(() -> !advertisesKad(base, server) && !inTable(base, server));
  }
}
