package org.chorus.dht.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The storage meters (the seed's StorageMetrics): stores, retrievals, cache hits and misses,
 * errors, encryption and decryption time, bytes stored, audit failures. Exported at {@code
 * /actuator/prometheus} as {@code chorus_storage_*}. Thread-safe (Micrometer meters are).
 */
public final class StorageMetrics {

  private final Counter stores;
  private final Counter retrievals;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter denied;
  private final Counter errors;
  private final Counter bytesStored;
  private final Counter auditFailures;
  private final Counter writeConflicts;
  private final Timer encryption;
  private final Timer decryption;

  public StorageMetrics(MeterRegistry registry) {
    stores =
        Counter.builder("chorus.storage.stores").description("Content stored").register(registry);
    retrievals =
        Counter.builder("chorus.storage.retrievals")
            .description("Content retrieved and decrypted")
            .register(registry);
    cacheHits =
        Counter.builder("chorus.storage.cache.hits")
            .description("Content cache hits")
            .register(registry);
    cacheMisses =
        Counter.builder("chorus.storage.cache.misses")
            .description("Content cache misses")
            .register(registry);
    denied =
        Counter.builder("chorus.storage.denied")
            .description("Stores or retrievals refused by the role policy")
            .register(registry);
    errors =
        Counter.builder("chorus.storage.errors")
            .description("Failed stores or retrievals (invalid records, decryption failures)")
            .register(registry);
    bytesStored =
        Counter.builder("chorus.storage.bytes.stored")
            .baseUnit("bytes")
            .description("Plaintext bytes stored")
            .register(registry);
    auditFailures =
        Counter.builder("chorus.audit.failures")
            .description("Audit lines that could not be written, or a broken audit chain")
            .register(registry);
    writeConflicts =
        Counter.builder("chorus.storage.write.conflicts")
            .description(
                "Write rounds that met another write of the same address (lost, or won and rewritten)")
            .register(registry);
    encryption =
        Timer.builder("chorus.storage.encryption")
            .description("age encryption time")
            .register(registry);
    decryption =
        Timer.builder("chorus.storage.decryption")
            .description("age decryption time")
            .register(registry);
  }

  void writeConflict() {
    writeConflicts.increment();
  }

  void stored(long bytes) {
    stores.increment();
    bytesStored.increment(bytes);
  }

  void retrieved() {
    retrievals.increment();
  }

  void cacheHit() {
    cacheHits.increment();
  }

  void cacheMiss() {
    cacheMisses.increment();
  }

  void denied() {
    denied.increment();
  }

  void error() {
    errors.increment();
  }

  public void auditFailure() {
    auditFailures.increment();
  }

  void encryptionNanos(long nanos) {
    encryption.record(nanos, TimeUnit.NANOSECONDS);
  }

  void decryptionNanos(long nanos) {
    decryption.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A snapshot for {@code GET /api/v1/storage/metrics}. */
  public Snapshot snapshot() {
    return new Snapshot(
        (long) stores.count(),
        (long) retrievals.count(),
        (long) cacheHits.count(),
        (long) cacheMisses.count(),
        (long) denied.count(),
        (long) errors.count(),
        (long) bytesStored.count(),
        (long) auditFailures.count(),
        encryption.mean(TimeUnit.MILLISECONDS),
        decryption.mean(TimeUnit.MILLISECONDS));
  }

  /** Counter values and mean crypto times in milliseconds. */
  public record Snapshot(
      long stores,
      long retrievals,
      long cacheHits,
      long cacheMisses,
      long denied,
      long errors,
      long bytesStored,
      long auditFailures,
      double meanEncryptionMillis,
      double meanDecryptionMillis) {}
}
