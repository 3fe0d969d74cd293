package org.chorus.dht.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.chorus.dht.backend.HybridDht.BackendHealth;
import org.chorus.dht.backend.HybridDht.Selection;
import org.chorus.dht.backend.HybridDht.Status;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HybridDht} over a real {@link LocalDht} and a {@link FlakyNetwork} that fails on demand:
 * fallback, queueing, push-back on recovery, manual selection, restart. Probes and push rounds are
 * called directly and time is a {@link SteppingClock}, so nothing here waits.
 */
class HybridDhtTest {

  static final String PREFIX = "/CHORUS/ucxl/hybrid-";

  @TempDir Path dir;

  SteppingClock clock = new SteppingClock();
  FlakyNetwork network;
  LocalDht local;
  HybridDht hybrid;

  @BeforeEach
  void open() {
    hybrid = openHybrid();
  }

  @AfterEach
  void close() {
    hybrid.close();
  }

  HybridDht openHybrid() {
    return openHybrid(HybridDht.Config.DEFAULT);
  }

  HybridDht openHybrid(HybridDht.Config config) {
    network = new FlakyNetwork(dir.resolve("network"), clock);
    local =
        LocalDht.open(LocalDhtConfig.builder(dir.resolve("local"), "12D3KooWLocal").build(), clock);
    return new HybridDht(
        network,
        local,
        PendingPushQueue.open(dir.resolve("local").resolve(PendingPushQueue.FILE_NAME)),
        HybridDht.NetworkProbe.ROUTING_TABLE,
        config,
        clock);
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  BackendHealth health(String name) {
    return hybrid.health().stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void writesReachBothBackendsWhileTheNetworkIsUp() {
    assertThat(hybrid.activeName()).isEqualTo("network");
    DhtBackend.PutResult result = hybrid.putValue(PREFIX + "a", bytes("a"));

    assertThat(result.replicas()).isEqualTo(2);
    assertThat(local.getValue(PREFIX + "a"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("a")));
    assertThat(network.store.getValue(PREFIX + "a")).isPresent();
    assertThat(hybrid.pendingPushes()).isZero();
    assertThat(health("network").status()).isEqualTo(Status.UP);
    assertThat(health("network").operations()).isEqualTo(1);
  }

  @Test
  void fallsBackToLocalAfterThreeConsecutiveNetworkFailures() {
    network.down = true;

    hybrid.putValue(PREFIX + "1", bytes("one"));
    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(health("network").status()).isEqualTo(Status.DEGRADED);
    assertThat(health("network").consecutiveFailures()).isEqualTo(1);
    assertThat(health("network").lastError()).contains("unreachable");
    assertThat(health("network").lastErrorAt()).isNotNull();

    hybrid.putValue(PREFIX + "2", bytes("two"));
    DhtBackend.PutResult third = hybrid.putValue(PREFIX + "3", bytes("three"));

    assertThat(third.replicas()).isEqualTo(1);
    assertThat(hybrid.activeName()).isEqualTo("local");
    assertThat(hybrid.fallbacks()).isEqualTo(1);
    assertThat(health("network").status()).isEqualTo(Status.DOWN);
    assertThat(health("network").errors()).isEqualTo(3);
    assertThat(health("local").active()).isTrue();
    assertThat(health("local").status()).isEqualTo(Status.UP);

    // On the fallback: writes land in local and in the queue, the network is not tried.
    int networkCallsBefore = network.puts.get();
    hybrid.putValue(PREFIX + "4", bytes("four"));
    assertThat(network.puts.get()).isEqualTo(networkCallsBefore);
    assertThat(hybrid.pendingPushes()).isEqualTo(4);
    for (String k : new String[] {"1", "2", "3", "4"}) {
      assertThat(local.getValue(PREFIX + k)).isPresent();
      assertThat(hybrid.getValue(PREFIX + k)).isPresent();
    }
  }

  @Test
  void anEmptyRoutingTableTakesTheNetworkOutOfUse() {
    network.down = true;
    hybrid.maintain();
    assertThat(hybrid.activeName()).isEqualTo("local");
    assertThat(hybrid.fallbacks()).isEqualTo(1);
  }

  @Test
  void recoveryPushesEveryValueWrittenDuringTheOutage() {
    network.down = true;
    Map<String, byte[]> written = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      String key = PREFIX + "outage-" + i;
      byte[] value = bytes("value-" + i);
      hybrid.putValue(key, value);
      written.put(key, value);
    }
    // Overwrites during the outage: the latest value must win on the network.
    for (int i = 0; i < 10; i++) {
      String key = PREFIX + "outage-" + i;
      byte[] value = bytes("value-" + i + "-v2");
      hybrid.putValue(key, value);
      written.put(key, value);
    }
    hybrid.provide(PREFIX + "outage-0");
    assertThat(hybrid.activeName()).isEqualTo("local");
    assertThat(hybrid.pendingPushes()).isEqualTo(151);

    // Still down: the probe fails, nothing moves.
    assertThat(hybrid.probeNow()).isFalse();
    assertThat(hybrid.drainNow().ran()).isFalse();

    network.down = false;
    hybrid.maintain();

    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(hybrid.pendingPushes()).isZero();
    int lost = 0;
    for (var e : written.entrySet()) {
      byte[] onNetwork = network.store.getValue(e.getKey()).orElse(null);
      if (onNetwork == null || !java.util.Arrays.equals(onNetwork, e.getValue())) {
        lost++;
      }
    }
    System.out.printf(
        "hybrid recovery: written during outage=%d, pushed=%d, lost=%d%n",
        written.size(), hybrid.pushed(), lost);
    assertThat(lost).isZero();
    assertThat(network.store.findProviders(PREFIX + "outage-0", 10))
        .extracting(DhtBackend.Provider::peerId)
        .contains(FlakyNetwork.PEER_ID);
    assertThat(health("network").status()).isEqualTo(Status.UP);
  }

  @Test
  void failedPushesStayQueuedAndAreRetriedAfterABackoff() {
    hybrid.close();
    HybridDht.Config d = HybridDht.Config.DEFAULT;
    hybrid =
        openHybrid(
            new HybridDht.Config(
                100,
                d.targetReplicas(),
                2,
                2,
                d.retryBackoff(),
                d.maxRetryBackoff(),
                d.pushTimeout()));
    network.down = true;
    hybrid.maintain();
    for (int i = 0; i < 5; i++) {
      hybrid.putValue(PREFIX + "retry-" + i, bytes("v" + i));
    }
    network.down = false;
    network.failPuts = true;
    assertThat(hybrid.probeNow()).isTrue();

    HybridDht.DrainResult first = hybrid.drainNow();
    assertThat(first.ran()).isTrue();
    assertThat(first.failed()).isPositive();
    assertThat(hybrid.pendingPushes()).isEqualTo(5);

    // Within the backoff nothing is tried.
    assertThat(hybrid.drainNow().ran()).isFalse();

    // The next failed round doubles the wait.
    clock.advance(Duration.ofSeconds(1));
    assertThat(hybrid.drainNow().failed()).isPositive();
    clock.advance(Duration.ofMillis(1999));
    assertThat(hybrid.drainNow().ran()).isFalse();

    network.failPuts = false;
    clock.advance(Duration.ofMillis(1));
    HybridDht.DrainResult second = hybrid.drainNow();
    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(second.pushed()).isEqualTo(5);
    assertThat(hybrid.pendingPushes()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(network.store.getValue(PREFIX + "retry-" + i)).isPresent();
    }
  }

  @Test
  void manualSwitchPinsABackendUntilAuto() {
    hybrid.select(Selection.LOCAL);
    assertThat(hybrid.activeName()).isEqualTo("local");
    hybrid.putValue(PREFIX + "pinned", bytes("p"));
    assertThat(network.store.getValue(PREFIX + "pinned")).isEmpty();
    assertThat(hybrid.pendingPushes()).isEqualTo(1);
    assertThat(hybrid.drainNow().ran()).isFalse();

    hybrid.select(Selection.AUTO);
    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(hybrid.drainNow().pushed()).isEqualTo(1);
    assertThat(network.store.getValue(PREFIX + "pinned")).isPresent();

    // Pinned to the network, failures do not switch: reads fall back, writes are queued.
    hybrid.select(Selection.NETWORK);
    network.down = true;
    for (int i = 0; i < 5; i++) {
      hybrid.putValue(PREFIX + "net-" + i, bytes("n"));
    }
    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(hybrid.getValue(PREFIX + "net-0")).isPresent();
    assertThat(hybrid.pendingPushes()).isEqualTo(5);

    hybrid.select(Selection.AUTO);
    assertThat(hybrid.activeName()).isEqualTo("local");
  }

  @Test
  void aNetworkMissFallsBackToLocal() {
    local.putValue(PREFIX + "only-local", bytes("l"));
    assertThat(hybrid.getValue(PREFIX + "only-local"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("l")));
  }

  @Test
  void theQueueSurvivesCloseAndReopen() {
    network.down = true;
    for (int i = 0; i < 20; i++) {
      hybrid.putValue(PREFIX + "restart-" + i, bytes("r" + i));
    }
    assertThat(hybrid.pendingPushes()).isEqualTo(20);
    hybrid.close();

    hybrid = openHybrid();
    assertThat(hybrid.pendingPushes()).isEqualTo(20);
    assertThat(hybrid.activeName()).isEqualTo("network");
    assertThat(hybrid.drainNow().pushed()).isEqualTo(20);
    for (int i = 0; i < 20; i++) {
      assertThat(network.store.getValue(PREFIX + "restart-" + i))
          .hasValueSatisfying(v -> assertThat(v).isNotEmpty());
    }
  }

  @Test
  void aValueTheNetworkRefusesIsDroppedFromTheQueueButKeptLocally() {
    network.down = true;
    hybrid.maintain();
    String bad = FlakyNetwork.REJECTED_PREFIX + "x";
    hybrid.putValue(bad, bytes("b"));
    hybrid.putValue(PREFIX + "good", bytes("g"));
    network.down = false;
    hybrid.maintain();

    assertThat(hybrid.pendingPushes()).isZero();
    assertThat(hybrid.snapshot().pushRejected()).isEqualTo(1);
    assertThat(local.getValue(bad)).isPresent();
    assertThat(network.store.getValue(PREFIX + "good")).isPresent();
  }

  @Test
  void deleteRemovesTheQueuedPush() {
    network.down = true;
    hybrid.maintain();
    hybrid.putValue(PREFIX + "gone", bytes("g"));
    assertThat(hybrid.deleteValue(PREFIX + "gone")).isTrue();
    assertThat(hybrid.pendingPushes()).isZero();
  }

  @Test
  void selectionParsesTheApiWords() {
    assertThat(Selection.parse("Network")).isEqualTo(Selection.NETWORK);
    assertThat(Selection.parse(" auto ")).isEqualTo(Selection.AUTO);
    assertThatThrownBy(() -> Selection.parse("cloud")).hasMessageContaining("cloud");
    assertThatThrownBy(
            () ->
                new HybridDht.Config(
                        0,
                        3,
                        4,
                        64,
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(5))
                    .validate())
        .hasMessageContaining("failureThreshold");
  }

  @Test
  void aRequeuedEntryIsNotRemovedByAnOlderPush() {
    PendingPushQueue queue =
        PendingPushQueue.open(dir.resolve("queue").resolve(PendingPushQueue.FILE_NAME));
    try {
      queue.add(PendingPushQueue.Kind.VALUE, "/k");
      PendingPushQueue.Entry read = queue.batch(null, 10).get(0);
      queue.add(PendingPushQueue.Kind.VALUE, "/k");
      assertThat(queue.removeIfUnchanged(read)).isFalse();
      assertThat(queue.size()).isEqualTo(1);
      PendingPushQueue.Entry latest = queue.batch(null, 10).get(0);
      assertThat(queue.removeIfUnchanged(latest)).isTrue();
      assertThat(queue.size()).isZero();
    } finally {
      queue.close();
    }
  }
}
