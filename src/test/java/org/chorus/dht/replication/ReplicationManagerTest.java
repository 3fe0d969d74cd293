package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's schedule, repair, backoff and restart behaviour over an in-memory network and a
 * real state store, with a clock the test steps.
 */
class ReplicationManagerTest {

  static final Duration INTERVAL = ReplicationConfig.DEFAULT_REPROVIDE_INTERVAL;
  static final byte[] VALUE = "v1".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  SteppingClock clock;
  FakeReplicaNetwork net;
  ReplicationStateStore store;
  ReplicationManager manager;

  @BeforeEach
  void setUp() {
    clock = new SteppingClock();
    net = new FakeReplicaNetwork(6);
    store = ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME));
    manager = new ReplicationManager(ReplicationConfig.DEFAULT, net, store, clock, 3);
  }

  @AfterEach
  void tearDown() {
    manager.close();
    store.close();
  }

  private int runDue() throws Exception {
    return manager.runDue().get(30, TimeUnit.SECONDS);
  }

  /** Stores {@code key} on self and the first {@code extra} peers, and tracks it. */
  private void stored(String key, int extra) {
    net.storeAt(FakeReplicaNetwork.SELF, key, VALUE);
    for (int i = 0; i < extra; i++) {
      net.storeAt(net.peers.get(i), key, VALUE);
    }
    manager.addContent(key);
  }

  @Test
  void defaultsAreTheDesignedOnes() {
    ReplicationConfig c = ReplicationConfig.DEFAULT;
    assertThat(c.factor()).isEqualTo(3);
    assertThat(c.reprovideInterval()).isEqualTo(Duration.ofHours(12));
    assertThat(c.cleanupInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.providerTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(c.maxProvidersPerKey()).isEqualTo(10);
    assertThat(c.maxConcurrentReplications()).isEqualTo(5);
    assertThat(c.autoReplication()).isTrue();
    assertThat(c.reprovideEnabled()).isTrue();
  }

  @Test
  void configRefusesAReprovideIntervalTooLongForTheExpiry() {
    assertThatThrownBy(
            () ->
                ReplicationConfig.builder()
                    .reprovideInterval(Duration.ofHours(20))
                    .build()
                    .validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reprovideInterval");
    assertThatThrownBy(() -> ReplicationConfig.builder().factor(0).build().validate())
        .hasMessageContaining("factor");
    assertThatThrownBy(
            () -> ReplicationConfig.builder().maxConcurrentReplications(0).build().validate())
        .hasMessageContaining("maxConcurrentReplications");
  }

  @Test
  void firstRunProvidesAndCountsThenTheKeyWaitsForItsSlot() throws Exception {
    stored("/CHORUS/ucxl/a", 2);
    assertThat(runDue()).isEqualTo(1);
    KeyState s = manager.state("/CHORUS/ucxl/a").orElseThrow();
    assertThat(s.lastActual()).isEqualTo(3);
    assertThat(s.health()).isEqualTo(ReplicationHealth.HEALTHY);
    assertThat(net.provided).contains("/CHORUS/ucxl/a");
    assertThat(net.puts.get()).as("healthy and not yet due for republish: nothing sent").isZero();
    long now = clock.millis();
    assertThat(s.nextDue())
        .isBetween(now + INTERVAL.toMillis() / 2, now + INTERVAL.toMillis() * 3 / 2);
    assertThat(runDue()).as("nothing due until the slot").isZero();
  }

  @Test
  void tenThousandKeysAreSpreadEvenlyOverTheInterval() throws Exception {
    int n = 10_000;
    long start = clock.millis();
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = "/CHORUS/ucxl/k" + i;
      net.storeAt(FakeReplicaNetwork.SELF, key, VALUE);
      net.storeAt("peer-1", key, VALUE);
      net.storeAt("peer-2", key, VALUE);
      keys.add(key);
    }
    manager.addContents(keys);
    assertThat(store.size()).isEqualTo(n);
    assertThat(runDue()).isEqualTo(n);
    // every key is now due in [start + 6h, start + 18h); count per hour
    long hour = Duration.ofHours(1).toMillis();
    int[] perHour = new int[12];
    for (KeyState s : store.page(null, n)) {
      long offset = s.nextDue() - start - INTERVAL.toMillis() / 2;
      assertThat(offset).isBetween(0L, INTERVAL.toMillis() - 1);
      perHour[(int) (offset / hour)]++;
    }
    int expected = n / 12;
    for (int c : perHour) {
      assertThat(c).isBetween(expected * 8 / 10, expected * 12 / 10);
    }
    // stepping an hour at a time handles exactly that hour's keys
    clock.advance(Duration.ofHours(6));
    int handled = 0;
    for (int h = 0; h < 12; h++) {
      clock.advance(Duration.ofHours(1));
      int ran = runDue();
      assertThat(ran).isEqualTo(perHour[h]);
      handled += ran;
    }
    assertThat(handled).isEqualTo(n);
    assertThat(manager.metrics().reprovides()).isEqualTo(2L * n);
  }

  @Test
  void atMostMaxConcurrentKeysRunAtOnce() throws Exception {
    for (int i = 0; i < 23; i++) {
      stored("/CHORUS/ucxl/c" + i, 2);
    }
    net.holdScans = true;
    assertThat(manager.tick()).isEqualTo(5);
    assertThat(manager.tick()).as("all slots busy").isZero();
    assertThat(manager.metrics().inFlight()).isEqualTo(5);
    var drained = manager.runDue();
    // the runs open their scans on the manager's worker, after tick() returned: wait for each wave
    // of scans to be open before releasing it (23 keys: four waves of 5, then 3)
    for (int released = 0; released < 23; ) {
      int wave = Math.min(5, 23 - released);
      net.awaitHeldScans(wave);
      assertThat(net.scansOpen.get()).as("a full wave open, and no more").isEqualTo(wave);
      net.releaseScans(wave);
      released += wave;
    }
    assertThat(drained.get(30, TimeUnit.SECONDS)).isEqualTo(23);
    assertThat(net.maxScansOpen.get()).isEqualTo(5);
    assertThat(net.scans.get()).isEqualTo(23);
  }

  @Test
  void underReplicatedKeyIsRepairedToTheClosestPeersNotHoldingIt() throws Exception {
    stored("/CHORUS/ucxl/r", 0);
    net.down.add("peer-1");
    assertThat(runDue()).isEqualTo(1);
    KeyState s = manager.state("/CHORUS/ucxl/r").orElseThrow();
    assertThat(s.lastActual()).isEqualTo(3);
    assertThat(s.failures()).isZero();
    assertThat(net.holds("peer-2", "/CHORUS/ucxl/r")).isTrue();
    assertThat(net.holds("peer-3", "/CHORUS/ucxl/r")).isTrue();
    assertThat(net.holds("peer-4", "/CHORUS/ucxl/r")).as("no more than needed").isFalse();
    assertThat(manager.metrics().repairs()).isEqualTo(2);
    assertThat(manager.metrics().underReplicated()).isZero();
  }

  @Test
  void failedRepairBacksOffExponentiallyAndCountsCritical() throws Exception {
    stored("/CHORUS/ucxl/b", 0);
    net.down.addAll(net.peers);
    long base = ReplicationConfig.DEFAULT_REPAIR_BACKOFF.toMillis();
    long[] expected = {base, 2 * base, 4 * base, 8 * base};
    for (int i = 0; i < expected.length; i++) {
      assertThat(runDue()).isEqualTo(1);
      KeyState s = manager.state("/CHORUS/ucxl/b").orElseThrow();
      assertThat(s.failures()).isEqualTo(i + 1);
      assertThat(s.nextDue() - clock.millis()).isEqualTo(expected[i]);
      assertThat(s.health()).isEqualTo(ReplicationHealth.CRITICAL);
      assertThat(runDue()).as("nothing before the backoff ends").isZero();
      clock.advance(Duration.ofMillis(expected[i]));
    }
    assertThat(manager.metrics().critical()).isEqualTo(1);
    assertThat(manager.criticalKeys()).isEqualTo(1);
    assertThat(manager.metrics().reprovideLagSeconds()).isZero();
    assertThat(manager.backoff(30))
        .isEqualTo(ReplicationConfig.DEFAULT_MAX_REPAIR_BACKOFF.toMillis());
    // peers come back: the next run repairs and resets the failures
    net.down.clear();
    assertThat(runDue()).isEqualTo(1);
    KeyState s = manager.state("/CHORUS/ucxl/b").orElseThrow();
    assertThat(s.failures()).isZero();
    assertThat(s.lastActual()).isEqualTo(3);
    assertThat(manager.metrics().critical()).isZero();
  }

  @Test
  void degradedWithTwoCopiesWhenOnlyOnePeerIsUp() throws Exception {
    stored("/CHORUS/ucxl/d", 0);
    net.down.addAll(net.peers.subList(1, net.peers.size()));
    runDue();
    KeyState s = manager.state("/CHORUS/ucxl/d").orElseThrow();
    assertThat(s.lastActual()).isEqualTo(2);
    assertThat(s.health()).isEqualTo(ReplicationHealth.DEGRADED);
    assertThat(manager.metrics().underReplicated()).isEqualTo(1);
    assertThat(manager.metrics().critical()).isZero();
  }

  @Test
  void statusCountsLiveHoldersAndListsProviders() throws Exception {
    stored("/CHORUS/ucxl/s", 2);
    runDue();
    ReplicationStatus st = manager.status("/CHORUS/ucxl/s").get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(st.actual()).isEqualTo(3);
    assertThat(st.holders()).containsExactlyInAnyOrder("self", "peer-1", "peer-2");
    assertThat(st.health()).isEqualTo("healthy");
    assertThat(st.providers()).hasSize(1);
    assertThat(st.providers().get(0).quality()).isEqualTo(1.0);
    assertThat(st.healthyProviders()).isEqualTo(1);

    net.down.add("peer-1");
    net.down.add("peer-2");
    st = manager.status("/CHORUS/ucxl/s").get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(st.actual()).isEqualTo(1);
    assertThat(st.health()).isEqualTo("critical");
    assertThat(st.nextDue())
        .as("a count below target makes the key due for repair")
        .isEqualTo(clock.instant());
    assertThat(runDue()).isEqualTo(1);
    st = manager.status("/CHORUS/ucxl/s").get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(st.actual()).isEqualTo(3);

    assertThat(manager.status("/CHORUS/ucxl/unknown").get(10, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void scheduleResumesAfterRestart() throws Exception {
    for (int i = 0; i < 200; i++) {
      stored("/CHORUS/ucxl/p" + i, 2);
    }
    runDue();
    Map<String, Long> due = new HashMap<>();
    for (KeyState s : store.page(null, 1000)) {
      due.put(s.key(), s.nextDue());
    }
    manager.close();
    store.close();

    store = ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME));
    manager = new ReplicationManager(ReplicationConfig.DEFAULT, net, store, clock, 3);
    assertThat(store.size()).isEqualTo(200);
    for (KeyState s : store.page(null, 1000)) {
      assertThat(s.nextDue()).isEqualTo(due.get(s.key()));
      assertThat(s.lastActual()).isEqualTo(3);
    }
    assertThat(runDue()).as("nothing due right after the restart").isZero();
    clock.advance(INTERVAL.multipliedBy(3).dividedBy(2));
    assertThat(manager.metrics().reprovideLagSeconds()).isPositive();
    assertThat(runDue()).isEqualTo(200);
    assertThat(manager.metrics().reprovideLagSeconds()).isZero();
  }

  @Test
  void claimedKeyIsRetriedAfterTheLeaseWhenARunIsLost() throws Exception {
    stored("/CHORUS/ucxl/l", 2);
    net.holdScans = true;
    assertThat(manager.tick()).isEqualTo(1);
    // the process dies with the run in flight: reopen the store without finishing
    manager.close();
    store.close();
    store = ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME));
    net.holdScans = false;
    manager = new ReplicationManager(ReplicationConfig.DEFAULT, net, store, clock, 3);
    assertThat(runDue()).isZero();
    clock.advance(ReplicationManager.LEASE);
    assertThat(runDue()).isEqualTo(1);
    assertThat(manager.state("/CHORUS/ucxl/l").orElseThrow().lastActual()).isEqualTo(3);
  }

  @Test
  void reprovideAllRepublishesEveryKeyNow() throws Exception {
    for (int i = 0; i < 50; i++) {
      stored("/CHORUS/ucxl/all" + i, 2);
    }
    runDue();
    int putsBefore = net.puts.get();
    assertThat(manager.reprovideAll()).isEqualTo(50);
    assertThat(runDue()).isEqualTo(50);
    // a republish re-PUTs to every live closest peer (6 each)
    assertThat(net.puts.get() - putsBefore).isEqualTo(50 * 6);
    for (KeyState s : store.page(null, 100)) {
      assertThat(s.reprovideRequested()).isFalse();
      assertThat(s.lastReprovided()).isEqualTo(clock.millis());
      assertThat(s.lastActual()).isEqualTo(7);
    }
  }

  @Test
  void lostKeyIsCountedAndCleanedUpAfterTheExpiry() throws Exception {
    manager.addContent("/CHORUS/ucxl/gone");
    runDue();
    assertThat(manager.metrics().lost()).isEqualTo(1);
    assertThat(manager.state("/CHORUS/ucxl/gone").orElseThrow().lastActual()).isZero();
    assertThat(manager.cleanup()).isZero();
    clock.advance(ReplicationConfig.RECORD_EXPIRY.plusMinutes(1));
    assertThat(manager.cleanup()).isEqualTo(1);
    assertThat(manager.state("/CHORUS/ucxl/gone")).isEmpty();
  }

  @Test
  void maxKeysIsACap() {
    manager.close();
    manager =
        new ReplicationManager(
            ReplicationConfig.builder().maxKeys(2).build(), net, store, clock, 3);
    manager.addContent("/CHORUS/ucxl/1");
    manager.addContent("/CHORUS/ucxl/2");
    manager.addContent("/CHORUS/ucxl/2");
    assertThatThrownBy(() -> manager.addContent("/CHORUS/ucxl/3"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxKeys");
    assertThat(List.of(manager.metrics().keys())).containsExactly(2L);
  }
}
