package org.chorus.dht.kad.records;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadRecord;

/**
 * A {@link RecordStore} in a map, at most {@code maxRecords} keys (a new key is refused when full,
 * after expired records were dropped; existing keys can always be replaced). Thread-safe: every
 * method holds the store's lock, none does I/O.
 */
public final class InMemoryRecordStore implements RecordStore {
  /** Named cap: keys held at most. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  private record Entry(KadRecord record, Instant storedAt) {}

  private final Clock clock;
  private final Duration expiry;
  private final int maxRecords;
  private final Map<ByteBuffer, Entry> records = new HashMap<>();
  private final AtomicLong refusedFull = new AtomicLong();

  public InMemoryRecordStore(Clock clock, Duration expiry, int maxRecords) {
    if (expiry.isNegative() || expiry.isZero() || maxRecords <= 0) {
      throw new IllegalArgumentException("expiry and maxRecords must be positive");
    }
    this.clock = clock;
    this.expiry = expiry;
    this.maxRecords = maxRecords;
  }

  public InMemoryRecordStore(Clock clock) {
    this(clock, DEFAULT_EXPIRY, DEFAULT_MAX_RECORDS);
  }

  @Override
  public synchronized PutOutcome put(KadRecord record) {
    ByteBuffer k = ByteBuffer.wrap(record.key());
    if (!records.containsKey(k) && records.size() >= maxRecords && expire() == 0) {
      refusedFull.incrementAndGet();
      return PutOutcome.FULL;
    }
    records.put(k, new Entry(record, clock.instant()));
    return PutOutcome.STORED;
  }

  @Override
  public synchronized Optional<KadRecord> get(byte[] key) {
    Entry e = records.get(ByteBuffer.wrap(key.clone()));
    if (e == null || expired(e, clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(e.record());
  }

  @Override
  public synchronized boolean remove(byte[] key) {
    return records.remove(ByteBuffer.wrap(key.clone())) != null;
  }

  @Override
  public synchronized int expire() {
    Instant now = clock.instant();
    int before = records.size();
    records.values().removeIf(e -> expired(e, now));
    return before - records.size();
  }

  @Override
  public synchronized int size() {
    return records.size();
  }

  /** Puts refused because the store was full (a rejection metric). */
  public long refusedFull() {
    return refusedFull.get();
  }

  private boolean expired(Entry e, Instant now) {
    return !now.isBefore(e.storedAt().plus(expiry));
  }
}
