package org.chorus.dht.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * How {@link DhtHealthIndicator} grades real network backends on loopback, time stepped by hand:
 * start grace, unanswered lookups, the replication hook, a closed backend.
 */
class DhtHealthGradingTest {
  static final DhtHealthIndicator.Settings SETTINGS =
      new DhtHealthIndicator.Settings(
          Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1));

  @TempDir Path dir;
  final SteppingClock clock = new SteppingClock();
  final List<NetworkDht> open = new ArrayList<>();
  final List<ReplicationHealthSource> replication = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(NetworkDht::close);
  }

  NetworkDht node(String name) throws Exception {
    Host host = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
    MvRecordStore records = MvRecordStore.openInDataDir(dir.resolve(name), clock);
    MvProviderStore providers = MvProviderStore.openInDataDir(dir.resolve(name), clock);
    KadConfig kad = KadConfig.builder().mode(KadConfig.Mode.SERVER).build();
    Dht dht =
        new Dht(
            host,
            kad,
            records,
            providers,
            ChorusValidators.create(org.chorus.dht.testing.TestRoles.AUTHORITY),
            clock,
            QueryTimer.SYSTEM);
    dht.start();
    NetworkDht n =
        new NetworkDht(host, dht, records, providers, kad.mode(), 3, Duration.ofSeconds(30), clock);
    open.add(n);
    return n;
  }

  /** A node with bootstrap peers configured: an empty table is a failure after the grace. */
  DhtHealthIndicator indicator(NetworkDht network) {
    return new DhtHealthIndicator(
        network, null, true, () -> List.copyOf(replication), clock, SETTINGS);
  }

  static String problems(Health h) {
    return String.valueOf(h.getDetails().get("problems"));
  }

  @Test
  void anEmptyRoutingTableIsUnknownDuringTheGraceThenDown() throws Exception {
    DhtHealthIndicator indicator = indicator(node("lonely"));
    Health starting = indicator.health();
    assertThat(starting.getStatus()).isEqualTo(Status.UNKNOWN);
    assertThat(problems(starting)).contains("still starting");

    clock.advance(Duration.ofSeconds(61));
    Health down = indicator.health();
    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
    assertThat(problems(down)).contains("cut off from the network");
    assertThat(down.getDetails()).containsEntry("routingTableSize", 0);
  }

  @Test
  void withoutBootstrapPeersAnEmptyTableIsStandaloneAndUpUntilPeersJoin() throws Exception {
    NetworkDht seed = node("seed");
    DhtHealthIndicator indicator =
        new DhtHealthIndicator(seed, null, false, () -> List.copyOf(replication), clock, SETTINGS);
    seed.dht().getClosestPeers(new byte[] {1}).get(5, TimeUnit.SECONDS); // answered by no one
    clock.advance(Duration.ofHours(1)); // far past the grace and the query silence

    Health alone = indicator.health();
    assertThat(alone.getStatus()).as(problems(alone)).isEqualTo(Status.UP);
    assertThat(alone.getDetails())
        .containsEntry("standalone", true)
        .containsEntry("routingTableSize", 0)
        .containsEntry("bootstrapped", false);

    NetworkDht joiner = node("joiner");
    Multiaddr seedAddr = seed.host().listenAddrs().get(0).withPeerId(seed.host().peerId());
    assertThat(joiner.bootstrap(List.of(seedAddr)).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> seed.dht().routingTable().size() == 1);
    Health joined = indicator.health();
    assertThat(joined.getStatus()).as(problems(joined)).isEqualTo(Status.UP);
    assertThat(joined.getDetails())
        .containsEntry("standalone", false)
        .containsEntry("bootstrapped", true);
  }

  @Test
  void lookupsUnansweredForTooLongAreDown() throws Exception {
    NetworkDht a = node("a");
    NetworkDht b = node("b");
    Multiaddr bAddr = b.host().listenAddrs().get(0).withPeerId(b.host().peerId());
    assertThat(a.bootstrap(List.of(bAddr)).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    DhtHealthIndicator indicator = indicator(a);
    long answered = a.dht().queryHealth().answered();
    assertThat(answered).as("the bootstrap self-lookup").isPositive();
    b.host().close(); // a's only peer dies without a word: it stays in a's table, unreachable
    clock.advance(Duration.ofSeconds(1));
    a.dht().getClosestPeers(new byte[] {1}).get(15, TimeUnit.SECONDS);
    assertThat(indicator.health().getDetails()).containsEntry("queriesUnanswered", 1L);
    assertThat(problems(indicator.health())).doesNotContain("no lookup answered");

    clock.advance(Duration.ofMinutes(5));
    assertThat(problems(indicator.health())).contains("no lookup answered for 301 s");
  }

  @Test
  void aLookupWithAnEmptyTableAsksNoOneAndIsNotCountedAsUnanswered() throws Exception {
    NetworkDht lonely = node("lonely");
    assertThat(lonely.dht().getClosestPeers(new byte[] {1}).get(5, TimeUnit.SECONDS)).isEmpty();
    Dht.QueryHealth q = lonely.dht().queryHealth();
    assertThat(q.answered()).isZero();
    assertThat(q.unanswered()).isZero();
  }

  @Test
  void aConnectedNodeIsUpAndTheReplicationHookGradesReprovideLag() throws Exception {
    NetworkDht a = node("a");
    NetworkDht b = node("b");
    Multiaddr bAddr = b.host().listenAddrs().get(0).withPeerId(b.host().peerId());
    assertThat(a.bootstrap(List.of(bAddr)).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    DhtHealthIndicator indicator = indicator(a);
    clock.advance(Duration.ofMinutes(10)); // past the grace and the silence: still fine

    Health up = indicator.health();
    assertThat(up.getStatus()).as(problems(up)).isEqualTo(Status.UP);
    assertThat(up.getDetails())
        .containsEntry("routingTableSize", 1)
        .containsEntry("connectedPeers", 1)
        .containsEntry("secondsSinceLastAnsweredQuery", 600L);
    assertThat((Long) up.getDetails().get("queriesAnswered")).isPositive();

    replication.add(() -> new ReplicationHealthSource.Figures(Duration.ofMinutes(30), 3, 40));
    Health onTime = indicator.health();
    assertThat(onTime.getStatus()).isEqualTo(Status.UP);
    assertThat(onTime.getDetails())
        .containsEntry("reprovideLagSeconds", 1800L)
        .containsEntry("criticalKeys", 3L)
        .containsEntry("trackedKeys", 40L);

    replication.set(0, () -> new ReplicationHealthSource.Figures(Duration.ofHours(2), 0, 40));
    Health behind = indicator.health();
    assertThat(behind.getStatus()).isEqualTo(Status.DOWN);
    assertThat(problems(behind)).contains("reprovide lag 7200 s");

    a.close();
    Health closed = indicator.health();
    assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
    assertThat(closed.getDetails()).containsEntry("open", false);
  }

  @Test
  void withoutANetworkBackendItIsUp() {
    Health h =
        new DhtHealthIndicator(
                null, null, false, List::of, clock, DhtHealthIndicator.Settings.DEFAULT)
            .health();
    assertThat(h.getStatus()).isEqualTo(Status.UP);
    assertThat(h.getDetails()).containsEntry("backend", "local");
  }
}
