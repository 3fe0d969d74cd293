package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage service without HTTP: cache lifetime, invalidation and audit. */
class EncryptedStorageTest {

  private static final ChorusPrincipal QA = new ChorusPrincipal("qa", "qa_engineer", false);
  private static final ChorusPrincipal OBSERVER =
      new ChorusPrincipal("obs", "read_only_observer", false);
  private static final String ADDRESS = "ucxl://a/qa_engineer/p/t/report.txt";

  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();
  private StorageFixture fixture;

  @BeforeEach
  void open() throws Exception {
    fixture = new StorageFixture(dir, nanos::get);
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void theCacheServesRepeatsUntilTheTtlPasses() {
    fixture.storage.store(QA, ADDRESS, bytes("report"), "text/plain");
    assertThat(fixture.storage.retrieve(QA, ADDRESS).fromCache()).isFalse();
    assertThat(fixture.storage.retrieve(QA, ADDRESS).fromCache()).isTrue();

    nanos.addAndGet(Duration.ofMinutes(10).plusSeconds(1).toNanos());
    RetrievedContent again = fixture.storage.retrieve(QA, ADDRESS);
    assertThat(again.fromCache()).isFalse();
    assertThat(again.content()).isEqualTo(bytes("report"));
    StorageMetrics.Snapshot counters = fixture.metrics.snapshot();
    assertThat(counters.cacheHits()).isEqualTo(1);
    assertThat(counters.cacheMisses()).isEqualTo(2);
  }

  @Test
  void aStoreReplacesTheCachedVersion() {
    fixture.storage.store(QA, ADDRESS, bytes("v1"), "text/plain");
    fixture.storage.retrieve(QA, ADDRESS);
    fixture.storage.store(QA, ADDRESS, bytes("v2"), "text/plain");
    RetrievedContent found = fixture.storage.retrieve(QA, ADDRESS);
    assertThat(found.content()).isEqualTo(bytes("v2"));
    assertThat(found.metadata().version()).isEqualTo(2);
  }

  @Test
  void concurrentStoresToOneAddressGetDistinctIncreasingVersions() throws Exception {
    int writers = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      java.util.List<java.util.concurrent.Future<Long>> versions = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        byte[] body = bytes("writer " + i);
        versions.add(
            pool.submit(() -> fixture.storage.store(QA, ADDRESS, body, "text/plain").version()));
      }
      java.util.Set<Long> seen = new java.util.TreeSet<>();
      for (java.util.concurrent.Future<Long> v : versions) {
        seen.add(v.get());
      }
      assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(fixture.storage.retrieve(QA, ADDRESS).metadata().version()).isEqualTo(8);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTamperedRecordIsRefusedCountedAndNotCached() {
    fixture.storage.store(QA, ADDRESS, bytes("genuine"), "text/plain");
    String key = UcxlAddress.parse(ADDRESS).dhtKey();
    String json = new String(fixture.backend.getValue(key).orElseThrow(), StandardCharsets.UTF_8);
    fixture.backend.putValue(
        key, json.replace("\"size\":7", "\"size\":8").getBytes(StandardCharsets.UTF_8));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> fixture.storage.retrieve(QA, ADDRESS))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.detail()).contains("signature");
              });
    }
    assertThat(fixture.metrics.snapshot().errors()).isEqualTo(2);
    assertThat(fixture.metrics.snapshot().cacheHits()).isZero();
  }

  @Test
  void everyStoreRetrieveAndRefusalIsAuditedOnAnIntactChain() {
    fixture.storage.store(QA, ADDRESS, bytes("x"), "text/plain");
    fixture.storage.retrieve(QA, ADDRESS);
    assertThatThrownBy(() -> fixture.storage.retrieve(OBSERVER, ADDRESS))
        .isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> fixture.storage.store(OBSERVER, ADDRESS, bytes("y"), "text/plain"))
        .isInstanceOf(ApiException.class);
    assertThat(fixture.audit.lines()).isEqualTo(4);
    assertThat(fixture.audit.verify().ok()).isTrue();
    assertThat(fixture.metrics.snapshot().denied()).isEqualTo(2);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
