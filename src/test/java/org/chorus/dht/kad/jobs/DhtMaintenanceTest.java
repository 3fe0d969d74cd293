package org.chorus.dht.kad.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link DhtMaintenance} on real nodes over loopback TCP, with intervals of a few hundred
 * milliseconds: joining a bootstrap peer that starts late, filling the table by random walks along
 * a chain, and evicting a node that stopped.
 */
@Tag("cluster")
class DhtMaintenanceTest {

  static final Duration FAST = Duration.ofMillis(200);
  static final Duration WAIT = Duration.ofSeconds(20);
  static final KadConfig KAD =
      KadConfig.builder()
          .rpcTimeout(Duration.ofSeconds(2))
          .queryTimeout(Duration.ofSeconds(5))
          .build();

  /** Only the auto-bootstrap runs; the other jobs are switched on per test. */
  static MaintenanceConfig.Builder quiet() {
    return MaintenanceConfig.builder()
        .autoBootstrapInterval(FAST)
        .discoveryInterval(Duration.ZERO)
        .refreshInterval(Duration.ZERO)
        .staleCheckInterval(Duration.ZERO)
        .expireInterval(Duration.ZERO);
  }

  record Node(Host host, Dht dht) {}

  final List<Node> nodes = new ArrayList<>();
  final List<DhtMaintenance> maintenances = new ArrayList<>();

  @AfterEach
  void stop() {
    maintenances.forEach(DhtMaintenance::close);
    for (Node n : nodes) {
      n.dht().close();
      n.host().close();
    }
  }

  Node node(String listen) throws Exception {
    Host h = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    if (listen != null) {
      h.listen(Multiaddr.parse(listen)).get(5, TimeUnit.SECONDS);
    }
    Clock clock = Clock.systemUTC();
    Dht d =
        new Dht(
            h,
            KAD,
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            NamespacedValidator.permissiveChorus(),
            clock,
            QueryTimer.SYSTEM);
    d.start();
    Node n = new Node(h, d);
    nodes.add(n);
    return n;
  }

  Node node() throws Exception {
    return node("/ip4/127.0.0.1/tcp/0");
  }

  DhtMaintenance maintain(Node n, List<Multiaddr> bootstrap, MaintenanceConfig config) {
    DhtMaintenance m = new DhtMaintenance(n.dht(), bootstrap, config);
    maintenances.add(m);
    m.start();
    return m;
  }

  static Multiaddr addr(Node n) {
    return n.host().listenAddrs().get(0);
  }

  @Test
  void joinsABootstrapPeerThatStartsLate() throws Exception {
    int port = NodeProcess.freePort();
    // a DNS name and no /p2p: both allowed for a bootstrap address
    Multiaddr bootAddr = Multiaddr.parse("/dns4/localhost/tcp/" + port);
    Node b = node();
    DhtMaintenance m = maintain(b, List.of(bootAddr), quiet().build());

    // A is not listening yet: every attempt fails, the table stays empty
    await()
        .atMost(WAIT)
        .until(() -> m.stats(DhtMaintenance.AUTO_BOOTSTRAP).orElseThrow().failures() >= 2);
    assertThat(b.dht().routingTable().size()).isZero();
    assertThat(b.dht().isBootstrapped()).isFalse();
    assertThat(b.dht().stats().bootstrapped()).isFalse();

    Node a = node("/ip4/127.0.0.1/tcp/" + port);
    await().atMost(WAIT).until(() -> b.dht().routingTable().contains(a.host().peerId()));
    assertThat(b.dht().isBootstrapped()).isTrue();
    assertThat(b.dht().stats().bootstrapped()).isTrue();
    // the attempt that reached A ends after its self-lookup
    await()
        .atMost(WAIT)
        .until(
            () -> m.stats(DhtMaintenance.AUTO_BOOTSTRAP).orElseThrow().lastSuccess().isPresent());
    // A never bootstrapped itself: it learnt B from the inbound connection
    await().atMost(WAIT).until(() -> a.dht().routingTable().contains(b.host().peerId()));
    assertThat(a.dht().isBootstrapped()).isTrue();
  }

  @Test
  void noBootstrapPeersMeansNothingToDo() throws Exception {
    Node b = node();
    DhtMaintenance m = maintain(b, List.of(), quiet().build());
    await()
        .atMost(WAIT)
        .until(() -> m.stats(DhtMaintenance.AUTO_BOOTSTRAP).orElseThrow().runs() >= 2);
    DhtMaintenance.JobStats s = m.stats(DhtMaintenance.AUTO_BOOTSTRAP).orElseThrow();
    assertThat(s.failures()).isZero();
    assertThat(b.dht().isBootstrapped()).isFalse();
    assertThat(m.stats(DhtMaintenance.DISCOVERY)).isEmpty(); // disabled by a zero interval
  }

  @Test
  void randomWalkFillsTheTableAlongAChain() throws Exception {
    int length = 6;
    for (int i = 0; i < length; i++) {
      node();
    }
    // each node dials only the previous one: tables hold just the chain neighbours
    for (int i = 1; i < length; i++) {
      nodes.get(i).host().dial(addr(nodes.get(i - 1))).get(5, TimeUnit.SECONDS);
    }
    for (int i = 0; i < length; i++) {
      Node n = nodes.get(i);
      int neighbours = i == 0 || i == length - 1 ? 1 : 2;
      await().atMost(WAIT).until(() -> n.dht().routingTable().size() == neighbours);
    }
    Node first = nodes.get(0);
    assertThat(first.dht().routingTable().peers()).containsExactly(nodes.get(1).host().peerId());

    DhtMaintenance m = maintain(first, List.of(), quiet().discoveryInterval(FAST).build());
    await().atMost(WAIT).until(() -> first.dht().routingTable().size() >= length - 2);
    assertThat(m.stats(DhtMaintenance.DISCOVERY).orElseThrow().runs()).isPositive();
    // the far end of the chain learnt about the first node too (it was asked during the walks)
    assertThat(nodes.get(length - 1).dht().routingTable().size()).isGreaterThan(1);
  }

  @Test
  void staleCheckEvictsAStoppedNode() throws Exception {
    Node a = node();
    Node b = node();
    Node c = node();
    for (Node n : List.of(b, c)) {
      n.dht().bootstrap(List.of(addr(a))).get(10, TimeUnit.SECONDS);
    }
    for (Node n : List.of(a, b)) {
      await().atMost(WAIT).until(() -> n.dht().routingTable().contains(c.host().peerId()));
    }
    MaintenanceConfig stale =
        quiet().staleCheckInterval(FAST).stalePeerTimeout(Duration.ofMillis(300)).build();
    DhtMaintenance ma = maintain(a, List.of(), stale);
    DhtMaintenance mb = maintain(b, List.of(), stale);

    // a crash, not a graceful stop: no identify push tells the others that kad is gone
    c.host().close();
    c.dht().close();
    for (Node n : List.of(a, b)) {
      await().atMost(WAIT).until(() -> !n.dht().routingTable().contains(c.host().peerId()));
      assertThat(n.host().peerStore().get(c.host().peerId())).isEmpty();
    }
    // live peers answered their pings and stay
    assertThat(a.dht().routingTable().contains(b.host().peerId())).isTrue();
    assertThat(b.dht().routingTable().contains(a.host().peerId())).isTrue();
    assertThat(ma.stats(DhtMaintenance.STALE_PEERS).orElseThrow().lastSuccess()).isPresent();
    assertThat(mb.stats(DhtMaintenance.STALE_PEERS).orElseThrow().failures()).isZero();
  }

  @Test
  void expirySweepRunsOnItsInterval() throws Exception {
    Node n = node();
    AtomicInteger sweeps = new AtomicInteger();
    DhtMaintenance m =
        new DhtMaintenance(
            n.dht(),
            List.of(),
            quiet().expireInterval(FAST).build(),
            sweeps::incrementAndGet,
            null,
            Clock.systemUTC());
    maintenances.add(m);
    m.start();
    await().atMost(WAIT).until(() -> sweeps.get() >= 2);
    assertThat(m.stats(DhtMaintenance.EXPIRE).orElseThrow().runs()).isGreaterThanOrEqualTo(2);
    assertThat(m.stats())
        .extracting(DhtMaintenance.JobStats::job)
        .containsExactly(DhtMaintenance.AUTO_BOOTSTRAP, DhtMaintenance.EXPIRE);
  }

  @Test
  void aFailingSweepIsCountedAndTheJobKeepsRunning() throws Exception {
    Node n = node();
    AtomicInteger calls = new AtomicInteger();
    DhtMaintenance m =
        new DhtMaintenance(
            n.dht(),
            List.of(),
            quiet().expireInterval(FAST).build(),
            () -> {
              calls.incrementAndGet();
              throw new IllegalStateException("disk full");
            },
            null,
            Clock.systemUTC());
    maintenances.add(m);
    m.start();
    await().atMost(WAIT).until(() -> m.stats(DhtMaintenance.EXPIRE).orElseThrow().failures() >= 3);
    DhtMaintenance.JobStats s = m.stats(DhtMaintenance.EXPIRE).orElseThrow();
    assertThat(s.lastSuccess()).isEmpty();
    assertThat(calls.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void invalidConfigNamesTheKnob() {
    assertThatThrownBy(() -> quiet().autoBootstrapInterval(Duration.ZERO).build().validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoBootstrapInterval");
    assertThatThrownBy(() -> quiet().discoveryInterval(Duration.ofSeconds(-1)).build().validate())
        .hasMessageContaining("discoveryInterval");
    assertThatThrownBy(() -> quiet().maxStalePingsPerRun(0).build().validate())
        .hasMessageContaining("maxStalePingsPerRun");
    assertThat(MaintenanceConfig.defaults().validate().discoveryInterval())
        .isEqualTo(Duration.ofSeconds(60));
  }
}
