package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.host.ConnectionGater;
import org.chorus.dht.p2p.host.DenyListGater;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twelve network nodes on loopback (real TCP, persistent stores, signed envelopes) split into two
 * halves by their connection gaters: each half keeps taking writes, and after the partition heals
 * every write that was acknowledged during it is retrievable from a node of either half. Nothing
 * acknowledged is lost.
 *
 * <p>Healing is explicit (gaters allow again, each node bootstraps to one node of the other half
 * and refreshes), standing in for the periodic bootstrap and refresh jobs.
 *
 * <p>With the production k (20) every node of a half holds every write of its half. {@code
 * -Dpartition.k=4} makes the holders a subset: then a write can be acknowledged with only the
 * writer's copy (its lookup was seeded with peers of the other half only) and, after the heal, a
 * lookup from the other half can end at the new closest peers without reaching the holders; in 2 of
 * 6 runs 2 or 3 writes were not found from one half. Those need a republish to the current closest
 * peers (the replication manager's job) or the hybrid backend's push queue.
 */
@Tag("cluster")
class NetworkPartitionTest {
  static final int NODES = 12;
  static final int WRITES_PER_SIDE = 24;
  static final long WAIT = 30;
  static final KadConfig KAD =
      NetworkNodes.KAD.toBuilder().k(Integer.getInteger("partition.k", 20)).build().validate();

  @TempDir static Path root;
  static final List<NetworkDht> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    NetworkNodes.startCluster(root, NODES, KAD, nodes, Duration.ofSeconds(WAIT));
    refreshAll();
  }

  @AfterAll
  static void stop() {
    nodes.forEach(NetworkNodes::closeQuietly);
  }

  static void refreshAll() throws Exception {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (NetworkDht n : nodes) {
      all.add(n.refresh());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT, TimeUnit.SECONDS);
  }

  static boolean sideA(int i) {
    return i < NODES / 2;
  }

  @Test
  void writesOnBothSidesOfAPartitionSurviveTheHeal() throws Exception {
    Set<PeerId> a = new HashSet<>();
    Set<PeerId> b = new HashSet<>();
    for (int i = 0; i < NODES; i++) {
      (sideA(i) ? a : b).add(nodes.get(i).host().peerId());
    }

    // ---- partition: each node refuses the other half, cross connections are closed
    long start = System.nanoTime();
    List<DenyListGater> gaters = new ArrayList<>();
    int closed = 0;
    for (int i = 0; i < NODES; i++) {
      DenyListGater deny = new DenyListGater();
      deny.denyPeers(sideA(i) ? b : a);
      gaters.add(deny);
      nodes.get(i).host().setConnectionGater(deny);
    }
    for (NetworkDht n : nodes) {
      closed += n.host().closeGatedConnections().get(WAIT, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(WAIT)).until(NetworkPartitionTest::noCrossConnections);
    assertThat(closed).isPositive();

    // ---- writes on both sides, each one acknowledged (returned without an exception)
    Map<String, String> acknowledgedA = write("a", 0);
    Map<String, String> acknowledgedB = write("b", NODES / 2);
    assertThat(acknowledgedA).hasSize(WRITES_PER_SIDE);
    assertThat(acknowledgedB).hasSize(WRITES_PER_SIDE);

    // the partition is real: a node of one half does not see the other half's writes
    String firstA = acknowledgedA.keySet().iterator().next();
    String firstB = acknowledgedB.keySet().iterator().next();
    assertThat(nodes.get(NODES - 1).getValue(firstA)).isEmpty();
    assertThat(nodes.get(0).getValue(firstB)).isEmpty();
    long partitionMillis = (System.nanoTime() - start) / 1_000_000;

    // ---- heal: gaters allow again, every node rejoins through one node of the other half
    long healStart = System.nanoTime();
    for (NetworkDht n : nodes) {
      n.host().setConnectionGater(ConnectionGater.ALLOW_ALL);
    }
    List<CompletableFuture<Integer>> joins = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      int peer = (i + NODES / 2) % NODES;
      joins.add(nodes.get(i).bootstrap(List.of(NetworkNodes.addr(nodes.get(peer)))));
    }
    CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(WAIT, TimeUnit.SECONDS);
    refreshAll();
    assertThat(crossConnections()).isPositive();
    long healMillis = (System.nanoTime() - healStart) / 1_000_000;

    // ---- every acknowledged write, read from a node of each half
    Map<String, String> all = new LinkedHashMap<>(acknowledgedA);
    all.putAll(acknowledgedB);
    int retrievedA = 0;
    int retrievedB = 0;
    List<String> lost = new ArrayList<>();
    int j = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      NetworkDht readerA = nodes.get(j % (NODES / 2));
      NetworkDht readerB = nodes.get(NODES / 2 + j % (NODES / 2));
      j++;
      boolean okA = holds(e.getKey(), readerA.getValue(e.getKey()), e.getValue());
      boolean okB = holds(e.getKey(), readerB.getValue(e.getKey()), e.getValue());
      retrievedA += okA ? 1 : 0;
      retrievedB += okB ? 1 : 0;
      if (!okA || !okB) {
        lost.add(e.getKey());
      }
    }
    System.out.printf(
        "partition: %d nodes (k %d), %d cross connections closed; written during the partition: side A %d,"
            + " side B %d (all acknowledged); after the heal retrieved from side A %d, from side B"
            + " %d; lost %d; acknowledged with only the writer's copy %d; partition+writes %d ms, heal %d ms%n",
        NODES,
        KAD.k(),
        closed,
        acknowledgedA.size(),
        acknowledgedB.size(),
        retrievedA,
        retrievedB,
        lost.size(),
        onlyLocalCopy,
        partitionMillis,
        healMillis);
    assertThat(lost).as("acknowledged writes lost").isEmpty();
    assertThat(retrievedA).isEqualTo(all.size());
    assertThat(retrievedB).isEqualTo(all.size());
    assertThat(gaters).allMatch(g -> g.deniedPeers().size() == NODES / 2);
  }

  static int onlyLocalCopy;

  /** Writes {@link #WRITES_PER_SIDE} envelopes through the nodes of one half, round robin. */
  static Map<String, String> write(String side, int first) {
    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (int w = 0; w < WRITES_PER_SIDE; w++) {
      String address = "ucxl://agent-" + side + "/qa_engineer/partition/task/item-" + w + ".txt";
      String text = "written on side " + side + " #" + w;
      NetworkDht writer = nodes.get(first + w % (NODES / 2));
      DhtBackend.PutResult put =
          writer.putValue(NetworkNodes.key(address), NetworkNodes.envelope(address, text));
      if (put.replicas() < 2) {
        onlyLocalCopy++;
      }
      acknowledged.put(NetworkNodes.key(address), text);
    }
    return acknowledged;
  }

  /** Whether {@code value} is a valid envelope for {@code key} carrying {@code text}. */
  static boolean holds(String key, Optional<byte[]> value, String text) throws Exception {
    return value.isPresent()
        && Arrays.equals(
            NetworkNodes.CODEC
                .decodeAndVerify(key, value.get(), org.chorus.dht.testing.TestRoles.AUTHORITY)
                .ciphertext(),
            text.getBytes(StandardCharsets.UTF_8));
  }

  static int indexOf(PeerId p) {
    for (int i = 0; i < NODES; i++) {
      if (nodes.get(i).host().peerId().equals(p)) {
        return i;
      }
    }
    return -1;
  }

  static int crossConnections() {
    int n = 0;
    for (int i = 0; i < NODES; i++) {
      for (Connection c : nodes.get(i).host().connections()) {
        int other = indexOf(c.remotePeer());
        if (other >= 0 && c.isOpen() && sideA(other) != sideA(i)) {
          n++;
        }
      }
    }
    return n;
  }

  static boolean noCrossConnections() {
    return crossConnections() == 0;
  }
}
