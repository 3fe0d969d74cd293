package org.chorus.dht.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.backend.PendingPushQueue;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionGater;
import org.chorus.dht.p2p.host.DenyListGater;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * One hybrid node (as {@code system.HybridBackendConfiguration} builds it) in a network of four,
 * cut off by its connection gater: its writes are still acknowledged (local copy, queued push), its
 * {@code dht} health is not UP while it is cut off, and after the heal its queue drains and every
 * write is read back from the other nodes.
 */
@Tag("cluster")
class IsolationAndHealTest {
  static final int PEERS = 4;
  static final int WRITES = 12;

  @TempDir Path root;
  final List<NetworkDht> peers = new ArrayList<>();
  HybridDht hybrid;

  @AfterEach
  void stop() {
    if (hybrid != null) {
      try {
        hybrid.close();
      } catch (RuntimeException e) {
        System.err.println("closing the hybrid node: " + e);
      }
    }
    peers.forEach(NetworkNodes::closeQuietly);
  }

  @Test
  void anIsolatedHybridNodeIsNotUpKeepsItsWritesAndPushesThemAfterTheHeal() throws Exception {
    for (int i = 0; i < PEERS; i++) {
      peers.add(NetworkNodes.start(root.resolve("peer-" + i), IdentityKey.generate()));
    }
    Multiaddr boot = NetworkNodes.addr(peers.get(0));
    for (int i = 1; i < PEERS; i++) {
      peers.get(i).bootstrap(List.of(boot)).get(30, TimeUnit.SECONDS);
    }
    Path dataDir = root.resolve("hybrid");
    NetworkDht network = NetworkNodes.start(dataDir, IdentityKey.generate());
    LocalDht local = LocalDht.open(LocalDhtConfig.builder(dataDir, "hybrid").build(), clock());
    hybrid =
        new HybridDht(
            network,
            local,
            PendingPushQueue.open(dataDir.resolve(PendingPushQueue.FILE_NAME)),
            HybridDht.networkProbe(network, List.of(boot), Duration.ofSeconds(20)),
            new HybridDht.Config(
                    1,
                    3,
                    HybridDht.Config.DEFAULT_DRAIN_CONCURRENCY,
                    HybridDht.Config.DEFAULT_DRAIN_BATCH,
                    Duration.ofMillis(50),
                    Duration.ofMillis(200),
                    Duration.ofSeconds(30))
                .validate(),
            clock());
    DhtHealthIndicator health =
        new DhtHealthIndicator(
            network,
            hybrid,
            true,
            List::of,
            clock(),
            new DhtHealthIndicator.Settings(
                Duration.ZERO, Duration.ofMinutes(15), Duration.ofHours(2)));
    assertThat(hybrid.probeNow()).as("joins through the bootstrap peer").isTrue();
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

    // ---- cut off: the node refuses every peer and drops its connections
    DenyListGater deny = new DenyListGater();
    peers.forEach(p -> deny.denyPeer(p.host().peerId()));
    network.host().setConnectionGater(deny);
    int closed = network.host().closeGatedConnections().get(10, TimeUnit.SECONDS);
    assertThat(closed).isPositive();

    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (int w = 0; w < WRITES; w++) {
      String address = "ucxl://isolated/qa_engineer/isolation/task/item-" + w + ".txt";
      String text = "written while cut off #" + w;
      String key = NetworkNodes.key(address);
      hybrid.putValue(key, NetworkNodes.envelope(address, text)); // acknowledged when it returns
      acknowledged.put(key, text);
    }
    hybrid.maintain();
    assertThat(hybrid.activeName()).isEqualTo(LocalDht.NAME);
    long queued = hybrid.pendingPushes();
    assertThat(queued).isEqualTo(WRITES);
    Health cutOff = health.health();
    assertThat(cutOff.getStatus()).isIn(Status.DOWN, Status.OUT_OF_SERVICE);
    assertThat(cutOff.getDetails())
        .containsEntry("activeBackend", LocalDht.NAME)
        .containsEntry("pendingPushes", (long) WRITES);
    for (String key : acknowledged.keySet()) {
      assertThat(peers.get(PEERS - 1).getValue(key))
          .as("cut off: nothing reached the peers")
          .isEmpty();
    }

    // ---- heal: the gater allows again; the hybrid's maintenance rejoins and drains its queue
    network.host().setConnectionGater(ConnectionGater.ALLOW_ALL);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              hybrid.maintain();
              return hybrid.activeName().equals(NetworkDht.NAME) && hybrid.pendingPushes() == 0;
            });
    Health healed = health.health();
    assertThat(healed.getStatus()).as(String.valueOf(healed.getDetails())).isEqualTo(Status.UP);

    int retrieved = 0;
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      boolean everywhere = true;
      for (NetworkDht peer : peers) {
        everywhere &= holds(e.getKey(), peer.getValue(e.getKey()), e.getValue());
      }
      if (everywhere) {
        retrieved++;
      } else {
        lost.add(e.getKey());
      }
    }
    System.out.printf(
        "isolation: %d writes acknowledged while cut off (%d queued, status %s), %d connections"
            + " closed; after the heal %d pushed, %d retrieved from all %d peers, lost %d%n",
        acknowledged.size(),
        queued,
        cutOff.getStatus(),
        closed,
        hybrid.pushed(),
        retrieved,
        PEERS,
        lost.size());
    assertThat(lost).as("acknowledged writes lost").isEmpty();
  }

  static Clock clock() {
    return Clock.systemUTC();
  }

  static boolean holds(String key, Optional<byte[]> value, String text) throws Exception {
    return value.isPresent()
        && Arrays.equals(
            NetworkNodes.CODEC
                .decodeAndVerify(key, value.get(), org.chorus.dht.testing.TestRoles.AUTHORITY)
                .ciphertext(),
            text.getBytes(StandardCharsets.UTF_8));
  }
}
