package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 at cluster scale: twelve real {@link NetworkDht} nodes (loopback TCP, persistent stores,
 * the CHORUS validators) with k = 3, so the holders of a key are a real subset (the writer and its
 * 3 closest peers). Node 0 stores 200 signed envelopes with factor 3 and tracks them in a {@link
 * ReplicationManager}. The two nodes that share the most items are stopped; the items they held
 * together drop below 3 live copies; the repair job brings every item back to 3 live replicas
 * (counted by asking peers, checked against the live nodes' stores), and every item is read back
 * through a live node that is neither the writer nor a holder. Prints what it counted.
 */
@Tag("cluster")
class ReplicationRepairClusterTest {

  static final int NODES = 12;
  static final int ITEMS = 200;
  static final int FACTOR = 3;
  static final long WAIT = 60;
  static final KadConfig KAD = NetworkNodes.KAD.toBuilder().k(3).build().validate();

  @TempDir static Path root;
  static final List<NetworkDht> nodes = new ArrayList<>();
  static final Set<Integer> stopped = new HashSet<>();
  static ReplicationStateStore stateStore;
  static ReplicationManager manager;

  @BeforeAll
  static void start() throws Exception {
    NetworkNodes.startCluster(root, NODES, KAD, nodes, Duration.ofSeconds(WAIT));
    refreshLive();
    stateStore =
        ReplicationStateStore.open(root.resolve("node-0").resolve(ReplicationStateStore.FILE_NAME));
    ReplicationConfig config =
        ReplicationConfig.builder().factor(FACTOR).maxConcurrentReplications(16).build();
    manager =
        new ReplicationManager(
            config, new KadReplicaNetwork(nodes.get(0)), stateStore, Clock.systemUTC(), FACTOR);
  }

  @AfterAll
  static void stop() {
    if (manager != null) {
      manager.close();
      stateStore.close();
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (!stopped.contains(i)) {
        NetworkNodes.closeQuietly(nodes.get(i));
      }
    }
  }

  @Test
  void twoHoldersStopRepairRestoresThreeLiveReplicasOfEveryItemAndNoneIsLost() throws Exception {
    long started = System.nanoTime();
    NetworkDht writer = nodes.get(0);

    // ---- store 200 signed envelopes through node 0, a few writes at a time
    Map<String, byte[]> items = new LinkedHashMap<>();
    for (int i = 0; i < ITEMS; i++) {
      String address = "ucxl://agent-0/qa_engineer/replication/task/item-" + i + ".txt";
      items.put(NetworkNodes.key(address), NetworkNodes.envelope(address, "item " + i));
    }
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      Map<String, Future<DhtBackend.PutResult>> puts = new LinkedHashMap<>();
      items.forEach((k, v) -> puts.put(k, writers.submit(() -> writer.putValue(k, v))));
      for (Map.Entry<String, Future<DhtBackend.PutResult>> put : puts.entrySet()) {
        DhtBackend.PutResult r = put.getValue().get(WAIT, TimeUnit.SECONDS);
        assertThat(r.complete()).as("put %s: %s", put.getKey(), r).isTrue();
        manager.addContent(put.getKey(), r);
      }
    } finally {
      writers.shutdownNow();
    }
    manager.runDue().get(WAIT * 3, TimeUnit.SECONDS); // first runs: provide and count

    Map<String, ReplicationStatus> before = statusOfAll(items.keySet());
    int replicasBefore = 0;
    for (Map.Entry<String, ReplicationStatus> s : before.entrySet()) {
      assertThat(s.getValue().actual()).as("replicas of %s", s.getKey()).isGreaterThanOrEqualTo(3);
      replicasBefore += s.getValue().actual();
    }
    Map<Integer, Set<String>> heldBy = storedCopies(items);
    for (String key : items.keySet()) {
      long copies = heldBy.values().stream().filter(h -> h.contains(key)).count();
      assertThat(copies).as("stored copies of %s", key).isGreaterThanOrEqualTo(3).isLessThan(NODES);
    }

    // ---- stop the two nodes (not the writer) that hold the most items together
    int[] pair = busiestPair(heldBy);
    Set<String> shared = new HashSet<>(heldBy.get(pair[0]));
    shared.retainAll(heldBy.get(pair[1]));
    assertThat(shared).as("items held by both nodes %d and %d", pair[0], pair[1]).isNotEmpty();
    for (int i : pair) {
      NetworkNodes.closeQuietly(nodes.get(i));
      stopped.add(i);
    }
    refreshLive();

    Map<String, ReplicationStatus> degraded = statusOfAll(items.keySet());
    Map<Integer, Set<String>> liveBefore = storedCopies(items);
    int below = 0;
    int replicasDegraded = 0;
    for (String key : items.keySet()) {
      int live = liveCopies(liveBefore, key);
      int counted = degraded.get(key).actual();
      assertThat(counted).as("counted copies of %s", key).isLessThanOrEqualTo(live);
      if (counted < FACTOR) {
        below++;
      }
      replicasDegraded += counted;
    }
    long lostOnStop =
        items.keySet().stream().filter(k -> liveCopies(liveBefore, k) < FACTOR).count();
    assertThat(lostOnStop).as("items left below 3 stored copies").isPositive();
    assertThat(below).as("items counted below 3 replicas").isPositive();

    // ---- repair
    long repairStart = System.nanoTime();
    manager.repairUnderReplicated();
    manager.runDue().get(WAIT * 3, TimeUnit.SECONDS);
    long repairMillis = (System.nanoTime() - repairStart) / 1_000_000;

    Map<String, ReplicationStatus> after = statusOfAll(items.keySet());
    Map<Integer, Set<String>> liveAfter = storedCopies(items);
    int replicasAfter = 0;
    int lost = 0;
    int readBack = 0;
    Set<String> stoppedIds = new HashSet<>();
    for (int i : pair) {
      stoppedIds.add(nodes.get(i).host().peerId().toString());
    }
    for (Map.Entry<String, byte[]> item : items.entrySet()) {
      String key = item.getKey();
      ReplicationStatus s = after.get(key);
      if (s.actual() == 0) {
        lost++;
      }
      assertThat(s.actual()).as("live replicas of %s after repair", key).isGreaterThanOrEqualTo(3);
      assertThat(s.health()).isEqualTo("healthy");
      assertThat(s.holders()).as("holders of %s", key).doesNotContainAnyElementsOf(stoppedIds);
      assertThat(liveCopies(liveAfter, key)).as("stored live copies of %s", key).isGreaterThan(2);
      replicasAfter += s.actual();
      int reader = readerFor(liveAfter, key);
      Optional<byte[]> read = read(reader, key);
      assertThat(read).as("%s read through node %d", key, reader).isPresent();
      assertThat(Arrays.equals(read.get(), item.getValue())).as("value of %s", key).isTrue();
      readBack++;
    }
    ReplicationMetrics m = manager.metrics();
    System.out.printf(
        "replication repair cluster: %d nodes (k=%d, factor %d), %d items; replicas counted by"
            + " asking peers: before=%d, after stopping nodes %d and %d=%d (%d items held by both,"
            + " %d items below 3 stored copies, %d counted below 3), after repair=%d; repairs=%d"
            + " (repair pass %d ms); read back through non-holders=%d; lost=%d; total %d ms%n",
        NODES,
        KAD.k(),
        FACTOR,
        items.size(),
        replicasBefore,
        pair[0],
        pair[1],
        replicasDegraded,
        shared.size(),
        lostOnStop,
        below,
        replicasAfter,
        m.repairs(),
        repairMillis,
        readBack,
        lost,
        (System.nanoTime() - started) / 1_000_000);
    assertThat(lost).isZero();
    assertThat(readBack).isEqualTo(ITEMS);
    assertThat(m.lost()).isZero();
    assertThat(m.underReplicated()).isZero();
    assertThat(m.repairs()).isGreaterThanOrEqualTo(lostOnStop);
  }

  /** The manager's status of every key, a batch at a time. */
  static Map<String, ReplicationStatus> statusOfAll(Set<String> keys) throws Exception {
    Map<String, ReplicationStatus> out = new HashMap<>();
    List<String> all = new ArrayList<>(keys);
    for (int from = 0; from < all.size(); from += 16) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + 16));
      List<CompletableFuture<Optional<ReplicationStatus>>> pending = new ArrayList<>();
      for (String key : batch) {
        pending.add(manager.status(key));
      }
      for (int i = 0; i < batch.size(); i++) {
        Optional<ReplicationStatus> s = pending.get(i).get(WAIT, TimeUnit.SECONDS);
        assertThat(s).as("status of %s", batch.get(i)).isPresent();
        out.put(batch.get(i), s.get());
      }
    }
    return out;
  }

  /** Per live node, the items whose exact value its record store holds (ground truth). */
  static Map<Integer, Set<String>> storedCopies(Map<String, byte[]> items) {
    Map<Integer, Set<String>> out = new HashMap<>();
    for (int i = 0; i < NODES; i++) {
      if (stopped.contains(i)) {
        continue;
      }
      Set<String> held = new HashSet<>();
      for (Map.Entry<String, byte[]> item : items.entrySet()) {
        byte[] k = item.getKey().getBytes(StandardCharsets.UTF_8);
        if (nodes
            .get(i)
            .records()
            .get(k)
            .filter(r -> Arrays.equals(r.value(), item.getValue()))
            .isPresent()) {
          held.add(item.getKey());
        }
      }
      out.put(i, held);
    }
    return out;
  }

  static int liveCopies(Map<Integer, Set<String>> heldBy, String key) {
    return (int) heldBy.values().stream().filter(h -> h.contains(key)).count();
  }

  /** The two nodes other than the writer that hold the most items in common. */
  static int[] busiestPair(Map<Integer, Set<String>> heldBy) {
    int[] best = {1, 2};
    int most = -1;
    for (int a = 1; a < NODES; a++) {
      for (int b = a + 1; b < NODES; b++) {
        Set<String> both = new HashSet<>(heldBy.get(a));
        both.retainAll(heldBy.get(b));
        if (both.size() > most) {
          most = both.size();
          best = new int[] {a, b};
        }
      }
    }
    return best;
  }

  /** A live node that is not the writer and stores no copy of {@code key} (a real lookup). */
  static int readerFor(Map<Integer, Set<String>> heldBy, String key) {
    int fallback = -1;
    for (int i = 1; i < NODES; i++) {
      int n = (i + Math.floorMod(key.hashCode(), NODES - 1)) % (NODES - 1) + 1;
      if (stopped.contains(n)) {
        continue;
      }
      if (!heldBy.get(n).contains(key)) {
        return n;
      }
      fallback = n;
    }
    return fallback;
  }

  /**
   * Reads {@code key} through node {@code reader}. A lookup can start from peers stopped a moment
   * ago when the peers a refresh learned are still being probed (a loaded machine, k = 3), so an
   * empty answer is retried after refreshing that node, for up to {@code WAIT} seconds; a key that
   * is really gone fails with the timeout.
   */
  static Optional<byte[]> read(int reader, String key) {
    return await()
        .atMost(Duration.ofSeconds(WAIT))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Optional<byte[]> value = nodes.get(reader).getValue(key);
              if (value.isEmpty()) {
                nodes.get(reader).refresh().get(WAIT, TimeUnit.SECONDS);
              }
              return value;
            },
            Optional::isPresent);
  }

  static void refreshLive() throws Exception {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!stopped.contains(i)) {
        all.add(nodes.get(i).refresh());
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT, TimeUnit.SECONDS);
  }
}
