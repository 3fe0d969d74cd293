package org.chorus.dht.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chorus.dht.backend.DhtBackend.BackendStats;
import org.chorus.dht.backend.DhtBackend.Provider;
import org.chorus.dht.backend.RecordRejectedException.Reason;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDhtTest {

  private static final String KEY = "/CHORUS/ucxl/D3svaI4HpmUfGZiHqpiWgVrBRMoVN22nmz0VPD5WIBE=";

  @TempDir Path dir;
  private final SteppingClock clock = new SteppingClock();
  private final List<LocalDht> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(LocalDht::close);
  }

  private LocalDht open() {
    return open(config().build());
  }

  private LocalDht open(LocalDhtConfig config) {
    LocalDht dht = LocalDht.open(config, clock);
    opened.add(dht);
    return dht;
  }

  private LocalDhtConfig.Builder config() {
    return LocalDhtConfig.builder(dir, "12D3KooWLocal")
        .listenAddrs(List.of("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLocal"));
  }

  @Test
  void putThenGetReturnsTheValueWithItsTimestamp() {
    LocalDht dht = open();
    DhtBackend.PutResult result = dht.putValue(KEY, bytes("hello"));
    assertThat(result.replicas()).isEqualTo(1);
    assertThat(dht.getValue(KEY)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("hello")));
    assertThat(dht.getRecord(KEY).orElseThrow().receivedAt()).isEqualTo(clock.instant());
    assertThat(dht.getValue("/CHORUS/ucxl/other")).isEmpty();
  }

  @Test
  void putOverwritesAndEmptyValuesAreValues() {
    LocalDht dht = open();
    dht.putValue(KEY, bytes("one"));
    clock.advance(Duration.ofMinutes(1));
    dht.putValue(KEY, new byte[0]);
    assertThat(dht.getValue(KEY)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(dht.stats().totalKeys()).isEqualTo(1);
  }

  @Test
  void deleteRemovesTheValue() {
    LocalDht dht = open();
    dht.putValue(KEY, bytes("x"));
    assertThat(dht.deleteValue(KEY)).isTrue();
    assertThat(dht.deleteValue(KEY)).isFalse();
    assertThat(dht.getValue(KEY)).isEmpty();
  }

  @Test
  void valuesAndProvidersSurviveARestart() {
    LocalDht first = open();
    first.putValue(KEY, bytes("persisted"));
    first.provide(KEY);
    first.close();
    LocalDht second = open();
    assertThat(second.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("persisted")));
    assertThat(second.findProviders(KEY, 10))
        .extracting(Provider::peerId)
        .containsExactly("12D3KooWLocal");
    assertThat(second.stats().totalKeys()).isEqualTo(1);
  }

  @Test
  void anAcknowledgedPutIsInTheFileWithoutAClose() throws IOException {
    // Simulates a crash: copy the file while the store is still open, then open the copy.
    LocalDht dht = open();
    dht.putValue(KEY, bytes("durable"));
    Path crashDir = dir.resolve("crash");
    Files.createDirectories(crashDir);
    Files.copy(dir.resolve(LocalDhtConfig.FILE_NAME), crashDir.resolve(LocalDhtConfig.FILE_NAME));
    LocalDht recovered = open(LocalDhtConfig.builder(crashDir, "n").build());
    assertThat(recovered.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("durable")));
  }

  @Test
  void aTornTailRollsBackToTheLastCommit() throws IOException {
    LocalDht dht = open();
    dht.putValue(KEY, bytes("first"));
    dht.close();
    Path file = dir.resolve(LocalDhtConfig.FILE_NAME);
    long goodLength = Files.size(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(goodLength);
      raf.write(new byte[8192]); // a partial chunk: zeros where a chunk header should be
      raf.seek(goodLength + 100);
      raf.write("chunk:ff,garbage".getBytes(UTF_8));
    }
    LocalDht reopened = open();
    assertThat(reopened.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("first")));
    reopened.putValue("/k2", bytes("second"));
    assertThat(reopened.getValue("/k2")).isPresent();
  }

  @Test
  void aHalfWrittenLastChunkFallsBackToThePreviousCommit() throws IOException {
    // State A: v1 durable. State B: v1 and then v2 durable. A crash in the middle of writing v2's
    // chunk leaves B's bytes cut somewhere after A's end.
    LocalDht dht = open();
    dht.putValue(KEY, bytes("v1"));
    Path file = dir.resolve(LocalDhtConfig.FILE_NAME);
    long lengthA = Files.size(file);
    dht.putValue("/second", new byte[20_000]);
    byte[] b = Files.readAllBytes(file);
    assertThat(b.length).isGreaterThan((int) lengthA);
    Path crashDir = dir.resolve("torn");
    Files.createDirectories(crashDir);
    int cut = (int) (lengthA + (b.length - lengthA) / 2);
    Files.write(crashDir.resolve(LocalDhtConfig.FILE_NAME), java.util.Arrays.copyOf(b, cut));
    LocalDht recovered = open(LocalDhtConfig.builder(crashDir, "n").build());
    assertThat(recovered.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("v1")));
    assertThat(recovered.getValue("/second")).isEmpty();
    recovered.putValue("/third", bytes("after recovery"));
    assertThat(recovered.getValue("/third")).isPresent();
  }

  @Test
  void aFileThatIsNotAStoreFailsToOpenWithAClearMessage() throws IOException {
    Files.write(
        dir.resolve(LocalDhtConfig.FILE_NAME),
        "this is not an MVStore file".repeat(500).getBytes(UTF_8));
    assertThatThrownBy(this::open)
        .isInstanceOf(DhtBackendException.class)
        .hasMessageContaining("failed to open store")
        .hasMessageContaining(LocalDhtConfig.FILE_NAME)
        .hasMessageContaining("move it aside");
  }

  @Test
  void theSameDirectoryCannotBeOpenedTwice() {
    open();
    assertThatThrownBy(this::open)
        .isInstanceOf(DhtBackendException.class)
        .hasMessageContaining("failed to open store");
  }

  @Test
  void valuesExpireAfter48Hours() {
    LocalDht dht = open();
    dht.putValue(KEY, bytes("old"));
    clock.advance(Duration.ofHours(1));
    dht.putValue("/fresh", bytes("new"));
    clock.advance(Duration.ofHours(47).minusMillis(1));
    assertThat(dht.getValue(KEY)).isPresent();
    assertThat(dht.expireNow()).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(dht.getValue(KEY)).isEmpty(); // invisible at once, before the sweep
    assertThat(dht.stats().totalKeys()).isEqualTo(2);
    assertThat(dht.expireNow()).isEqualTo(1);
    assertThat(dht.stats().totalKeys()).isEqualTo(1);
    assertThat(dht.getValue("/fresh")).isPresent();
    assertThat(dht.counters().expiredValues()).isEqualTo(1);
  }

  @Test
  void aRewriteRestartsTheLifetime() {
    LocalDht dht = open();
    dht.putValue(KEY, bytes("v1"));
    clock.advance(Duration.ofHours(40));
    dht.putValue(KEY, bytes("v2"));
    clock.advance(Duration.ofHours(10));
    assertThat(dht.expireNow()).isZero();
    assertThat(dht.getValue(KEY)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("v2")));
    clock.advance(Duration.ofHours(38));
    assertThat(dht.expireNow()).isEqualTo(1);
  }

  @Test
  void expirySweepsInBatches() {
    LocalDht dht = open(config().build());
    int n = LocalDht.EXPIRE_BATCH * 2 + 7;
    java.util.Map<String, byte[]> batch = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      batch.put("/k/" + i, bytes("v"));
    }
    dht.putValues(batch);
    assertThat(dht.stats().totalKeys()).isEqualTo(n);
    clock.advance(LocalDhtConfig.DEFAULT_VALUE_TTL);
    assertThat(dht.expireNow()).isEqualTo(n);
    assertThat(dht.stats().totalKeys()).isZero();
  }

  @Test
  void providerRecordsNameThisNodeAndExpire() {
    LocalDht dht = open();
    dht.provide(KEY);
    List<Provider> providers = dht.findProviders(KEY, 10);
    assertThat(providers).hasSize(1);
    Provider p = providers.get(0);
    assertThat(p.peerId()).isEqualTo("12D3KooWLocal");
    assertThat(p.addresses()).containsExactly("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLocal");
    assertThat(p.addedAtMillis()).isEqualTo(clock.millis());
    assertThat(dht.findProviders(KEY, 0)).isEmpty();
    assertThat(dht.findProviders(KEY + "x", 10)).isEmpty();
    clock.advance(Duration.ofHours(48));
    assertThat(dht.findProviders(KEY, 10)).isEmpty();
    assertThat(dht.expireNow()).isEqualTo(1);
    assertThat(dht.counters().providerRecords()).isZero();
  }

  @Test
  void reprovidingRefreshesTheRecord() {
    LocalDht dht = open();
    dht.provide(KEY);
    clock.advance(Duration.ofHours(22));
    dht.provide(KEY);
    clock.advance(Duration.ofHours(30));
    assertThat(dht.expireNow()).isZero();
    assertThat(dht.findProviders(KEY, 10)).hasSize(1);
  }

  @Test
  void aValueOverTheSizeCapIsRejected() {
    LocalDht dht = open(config().maxValueBytes(16).build());
    dht.putValue(KEY, new byte[16]);
    assertThatThrownBy(() -> dht.putValue(KEY, new byte[17]))
        .isInstanceOfSatisfying(
            RecordRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
        .hasMessageContaining("17 bytes is larger than the limit of 16 bytes");
    assertThat(dht.counters().rejectedTooLarge()).isEqualTo(1);
    assertThat(dht.getValue(KEY)).hasValueSatisfying(v -> assertThat(v).hasSize(16));
  }

  @Test
  void aNewKeyOverTheRecordCapIsRejectedButOverwritesAreNot() {
    LocalDht dht = open(config().maxRecords(2).build());
    dht.putValue("/a", bytes("1"));
    dht.putValue("/b", bytes("2"));
    assertThatThrownBy(() -> dht.putValue("/c", bytes("3")))
        .isInstanceOfSatisfying(
            RecordRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.STORE_FULL))
        .hasMessageContaining("full (2 records)");
    dht.putValue("/a", bytes("1b"));
    assertThat(dht.counters().rejectedFull()).isEqualTo(1);
  }

  @Test
  void providerRecordCapIsEnforced() {
    LocalDht dht = open(config().maxProviderRecords(1).build());
    dht.provide("/a");
    dht.provide("/a");
    assertThatThrownBy(() -> dht.provide("/b")).isInstanceOf(RecordRejectedException.class);
  }

  @Test
  void badKeysAreRejected() {
    LocalDht dht = open(config().maxKeyLength(8).build());
    assertThatThrownBy(() -> dht.putValue("", bytes("x"))).hasMessageContaining("empty");
    assertThatThrownBy(() -> dht.putValue(null, bytes("x"))).hasMessageContaining("empty");
    assertThatThrownBy(() -> dht.getValue("123456789")).hasMessageContaining("longer than 8");
    assertThatThrownBy(() -> dht.provide("a\0b")).hasMessageContaining("NUL");
    assertThat(dht.counters().rejectedInvalidKey()).isEqualTo(4);
  }

  @Test
  void statsDescribeTheLocalNode() {
    LocalDht dht = open();
    dht.putValue("/a", bytes("1"));
    clock.advance(Duration.ofSeconds(90));
    BackendStats stats = dht.stats();
    assertThat(stats.backend()).isEqualTo("local");
    assertThat(stats.mode()).isEqualTo("local");
    assertThat(stats.peerId()).isEqualTo("12D3KooWLocal");
    assertThat(stats.listenAddrs()).containsExactly("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLocal");
    assertThat(stats.bootstrapped()).isFalse(); // no routing table: never bootstrapped
    assertThat(stats.totalKeys()).isEqualTo(1);
    assertThat(stats.totalPeers()).isZero();
    assertThat(stats.uptimeSeconds()).isEqualTo(90);
    assertThat(dht.name()).isEqualTo("local");
  }

  @Test
  void aClosedStoreRefusesWork() {
    LocalDht dht = open();
    dht.close();
    dht.close();
    assertThat(dht.isOpen()).isFalse();
    assertThatThrownBy(() -> dht.putValue(KEY, bytes("x")))
        .isInstanceOf(DhtBackendException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> dht.getValue(KEY)).hasMessageContaining("closed");
  }

  @Test
  void concurrentWritersShareSyncs() throws Exception {
    LocalDht dht = open();
    int threads = 8;
    int perThread = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    dht.putValue("/t" + id + "/" + i, bytes("v" + i));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    LocalDht.Counters c = dht.counters();
    assertThat(c.puts()).isEqualTo(threads * perThread);
    assertThat(c.values()).isEqualTo(threads * perThread);
    assertThat(c.syncs()).isLessThanOrEqualTo(c.commits());
    System.out.printf(
        "group commit: %d puts from %d threads took %d syncs%n", c.commits(), threads, c.syncs());
    for (int t = 0; t < threads; t++) {
      assertThat(dht.getValue("/t" + t + "/" + (perThread - 1))).isPresent();
    }
  }

  @Test
  void configValidationNamesTheField() {
    assertThatThrownBy(() -> config().maxValueBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxValueBytes");
    assertThatThrownBy(() -> config().valueTtl(Duration.ZERO).build())
        .hasMessageContaining("valueTtl");
    assertThatThrownBy(() -> LocalDhtConfig.builder(null, "n").build())
        .hasMessageContaining("dataDir");
    assertThatThrownBy(() -> LocalDhtConfig.builder(dir, " ").build())
        .hasMessageContaining("nodeId");
    LocalDhtConfig c = config().build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.maxValueBytes()).isEqualTo(LocalDhtConfig.DEFAULT_MAX_VALUE_BYTES);
    assertThat(c.file()).isEqualTo(dir.resolve("dht.mv.db"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
