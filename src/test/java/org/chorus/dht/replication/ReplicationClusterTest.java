package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Eight real {@link NetworkDht} nodes (persistent stores, loopback TCP) with k = 3, so a put
 * reaches the storing node and its 3 closest peers. Node 0 stores items and runs a {@link
 * ReplicationManager} (factor 3): replicas are counted by asking peers; holders of a key are
 * stopped until it is degraded, then critical; the repair job brings it back to 3 live copies,
 * readable from another node; finally every item is accounted for (lost = 0).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationClusterTest {

  static final int NODES = 8;
  static final int ITEMS = 12;
  static final Duration WAIT = Duration.ofSeconds(60);

  static Path root;
  static final List<NetworkDht> nodes = new ArrayList<>();
  static final List<Boolean> alive = new ArrayList<>();
  static final Map<String, byte[]> items = new HashMap<>();
  static ReplicationStateStore stateStore;
  static ReplicationManager manager;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createTempDirectory("chorus-replication-cluster-");
    HostConfig hostConfig = HostConfig.builder().ioThreads(1).limits(NetworkNodes.LIMITS).build();
    KadConfig kad = KadConfig.builder().k(3).queryTimeout(Duration.ofSeconds(20)).build();
    Clock clock = Clock.systemUTC();
    List<Multiaddr> addrs = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Path dir = root.resolve("node-" + i);
      Host host = Host.create(hostConfig, IdentityKey.generate());
      addrs.add(host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS));
      MvRecordStore records = MvRecordStore.openInDataDir(dir, clock);
      MvProviderStore providers = MvProviderStore.openInDataDir(dir, clock);
      Dht dht =
          new Dht(
              host,
              kad,
              records,
              providers,
              NamespacedValidator.permissiveChorus(),
              clock,
              QueryTimer.SYSTEM);
      dht.start();
      nodes.add(
          new NetworkDht(host, dht, records, providers, KadConfig.Mode.SERVER, 3, WAIT, clock));
      alive.add(true);
    }
    for (int i = 1; i < NODES; i++) {
      nodes.get(i).bootstrap(List.of(addrs.get(0))).get(20, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Void>> refreshes = new ArrayList<>();
    for (NetworkDht n : nodes) {
      refreshes.add(n.refresh());
    }
    CompletableFuture.allOf(refreshes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    stateStore =
        ReplicationStateStore.open(root.resolve("node-0").resolve(ReplicationStateStore.FILE_NAME));
    manager =
        new ReplicationManager(
            ReplicationConfig.DEFAULT, new KadReplicaNetwork(nodes.get(0)), stateStore, clock, 3);
  }

  @AfterAll
  static void stop() throws IOException {
    if (manager != null) {
      manager.close();
      stateStore.close();
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (alive.get(i)) {
        nodes.get(i).close();
      }
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String key(int i) {
    return "/CHORUS/ucxl/replication-item-" + i;
  }

  static ReplicationStatus status(String key) throws Exception {
    Optional<ReplicationStatus> s = manager.status(key).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(s).as("status of " + key).isPresent();
    return s.get();
  }

  static int indexOf(String peerId) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).host().peerId().toString().equals(peerId)) {
        return i;
      }
    }
    throw new AssertionError("unknown peer " + peerId);
  }

  static void kill(int i) {
    nodes.get(i).close();
    alive.set(i, false);
  }

  @Test
  @Order(1)
  void storedItemsReachTheFactorCountedByAskingPeers() throws Exception {
    int replicas = 0;
    for (int i = 0; i < ITEMS; i++) {
      byte[] value = ("value " + i).getBytes(StandardCharsets.UTF_8);
      DhtBackend.PutResult put = nodes.get(0).putValue(key(i), value);
      assertThat(put.complete()).as("put %d: %s", i, put).isTrue();
      assertThat(put.replicas()).isGreaterThanOrEqualTo(3);
      assertThat(put.requiredReplicas()).isEqualTo(3);
      manager.addContent(key(i), put);
      items.put(key(i), value);
    }
    for (String key : items.keySet()) {
      ReplicationStatus s = status(key);
      assertThat(s.actual()).as(key).isGreaterThanOrEqualTo(3);
      assertThat(s.holders()).hasSize(s.actual()).contains(nodes.get(0).host().peerId().toString());
      assertThat(s.health()).isEqualTo("healthy");
      replicas += s.actual();
    }
    System.out.printf(
        "replication cluster: %d nodes, %d items stored, %d replicas counted by asking peers%n",
        NODES, items.size(), replicas);
  }

  @Test
  @Order(2)
  void losingHoldersDegradesThenRepairRestoresThreeLiveCopies() throws Exception {
    String key = key(0);
    ReplicationStatus before = status(key);
    List<Integer> remote =
        before.holders().stream().map(ReplicationClusterTest::indexOf).filter(i -> i != 0).toList();
    assertThat(remote).hasSizeGreaterThanOrEqualTo(2);

    // keep one remote holder: 2 live copies -> degraded
    for (int i = 1; i < remote.size(); i++) {
      kill(remote.get(i));
    }
    ReplicationStatus degraded = status(key);
    assertThat(degraded.actual()).isEqualTo(2);
    assertThat(degraded.health()).isEqualTo("degraded");

    // and the last one: only this node's copy -> critical
    kill(remote.get(0));
    ReplicationStatus critical = status(key);
    assertThat(critical.actual()).isEqualTo(1);
    assertThat(critical.health()).isEqualTo("critical");
    assertThat(manager.criticalKeys()).isGreaterThanOrEqualTo(1);

    manager.repairUnderReplicated();
    manager.runDue().get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);

    ReplicationStatus repaired = status(key);
    assertThat(repaired.actual()).isGreaterThanOrEqualTo(3);
    assertThat(repaired.health()).isEqualTo("healthy");
    assertThat(manager.metrics().repairs()).isGreaterThanOrEqualTo(2);
    for (String holder : repaired.holders()) {
      assertThat(alive.get(indexOf(holder))).as("holder %s is live", holder).isTrue();
    }
    // readable from a live node other than the one that stored it
    int reader = otherLiveNode(repaired.holders());
    assertThat(read(reader, key)).hasValue(items.get(key));
  }

  @Test
  @Order(3)
  void afterRepairEveryItemHasThreeLiveCopiesAndNoneIsLost() throws Exception {
    manager.repairUnderReplicated();
    manager.runDue().get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
    int replicas = 0;
    int lost = 0;
    for (Map.Entry<String, byte[]> item : items.entrySet()) {
      ReplicationStatus s = status(item.getKey());
      if (s.actual() == 0) {
        lost++;
      }
      assertThat(s.actual()).as(item.getKey()).isGreaterThanOrEqualTo(3);
      replicas += s.actual();
      int reader = otherLiveNode(s.holders());
      assertThat(read(reader, item.getKey())).hasValue(item.getValue());
    }
    long live = alive.stream().filter(a -> a).count();
    System.out.printf(
        "replication cluster after losing %d of %d nodes: %d items, %d live replicas, lost=%d,"
            + " repairs=%d%n",
        NODES - live, NODES, items.size(), replicas, lost, manager.metrics().repairs());
    assertThat(lost).isZero();
    assertThat(manager.metrics().lost()).isZero();
    assertThat(manager.metrics().underReplicated()).isZero();
  }

  /**
   * Copies on peers outside the k closest are not replicas: a reader's lookup stops at the k
   * closest and never reaches them. A key held only by this node and by far peers counts 1 copy,
   * and its first run puts it on the k closest.
   */
  @Test
  @Order(4)
  void copiesOutsideTheClosestPeersDoNotCountAndTheRunFillsTheClosest() throws Exception {
    String key = "/CHORUS/ucxl/replication-far-copies";
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] value = "held far away".getBytes(StandardCharsets.UTF_8);
    Dht writer = nodes.get(0).dht();
    String self = nodes.get(0).host().peerId().toString();
    nodes.get(0).refresh().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<PeerId> closest = writer.getClosestPeers(k).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<PeerId> far = new ArrayList<>();
    for (int i = 1; i < NODES; i++) {
      PeerId peer = nodes.get(i).host().peerId();
      if (alive.get(i) && !closest.contains(peer)) {
        far.add(peer);
      }
    }
    assertThat(far).as("live peers outside the %d closest", closest.size()).isNotEmpty();
    assertThat(writer.storeLocal(k, value)).isTrue();
    assertThat(writer.putValueTo(k, value, far).get(WAIT.toSeconds(), TimeUnit.SECONDS).accepted())
        .isEqualTo(far.size());

    manager.addContent(key);
    ReplicationStatus before = status(key);
    assertThat(before.holders()).as("far copies are not counted").containsExactly(self);
    assertThat(before.actual()).isEqualTo(1);

    manager.runDue().get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
    ReplicationStatus after = status(key);
    assertThat(after.actual()).isGreaterThanOrEqualTo(3);
    assertThat(after.health()).isEqualTo("healthy");
    List<String> closestIds = closest.stream().map(PeerId::toString).toList();
    for (String holder : after.holders()) {
      assertThat(holder.equals(self) || closestIds.contains(holder))
          .as("holder %s is this node or one of the closest", holder)
          .isTrue();
    }
    System.out.printf(
        "far copies: %d far holders not counted (actual before=%d), after the run %d copies on the"
            + " closest peers and this node%n",
        far.size(), before.actual(), after.actual());
  }

  /**
   * Reads through {@code reader} after a routing table refresh (which drops the stopped nodes, as
   * the periodic refresh does; with k = 3 a lookup seeded only by dead peers would find nothing).
   * Peers learned during the refresh join the table only after their probe answers, so on a loaded
   * machine the first lookup may still start from dead peers: the read is retried, refreshing
   * again, for up to {@code WAIT}; an item that is really gone fails with the timeout.
   */
  static Optional<byte[]> read(int reader, String key) {
    return await()
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              nodes.get(reader).refresh().get(WAIT.toSeconds(), TimeUnit.SECONDS);
              return nodes.get(reader).getValue(key);
            },
            Optional::isPresent);
  }

  /** A live node that is not node 0, preferring one that does not hold a copy (forces a lookup). */
  static int otherLiveNode(List<String> holders) {
    int fallback = -1;
    for (int i = 1; i < nodes.size(); i++) {
      if (!alive.get(i)) {
        continue;
      }
      if (!holders.contains(nodes.get(i).host().peerId().toString())) {
        return i;
      }
      fallback = i;
    }
    return fallback;
  }
}
