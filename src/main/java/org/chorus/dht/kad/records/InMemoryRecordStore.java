package org.chorus.dht.kad.records;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A {@link RecordStore} in a map, at most {@code maxRecords} keys (a new key is refused when full,
 * after expired records were dropped; existing keys can always be replaced), with the per-peer
 * {@linkplain RecordStore.Quota quota} of {@link #putFor}. Thread-safe: every method holds the
 * store's lock, none does I/O.
 */
public final class InMemoryRecordStore implements RecordStore {
  /** Named cap: keys held at most. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  /** {@code owner}: the peer the record is charged to, or null. */
  private record Entry(KadRecord record, Instant storedAt, PeerId owner) {
    long bytes() {
      return Charges.bytesOf(record.key(), record.value());
    }
  }

  private final Clock clock;
  private final Duration expiry;
  private final int maxRecords;
  private final Map<ByteBuffer, Entry> records = new HashMap<>();
  private final AtomicLong refusedFull = new AtomicLong();
  private final AtomicLong refusedQuota = new AtomicLong();
  private final Charges charges = new Charges();

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
    return store(null, record, null);
  }

  @Override
  public synchronized PutOutcome putFor(PeerId peer, KadRecord record, Quota quota) {
    return store(Objects.requireNonNull(peer, "peer"), record, Objects.requireNonNull(quota));
  }

  @Override
  public synchronized Usage usage(PeerId peer) {
    return charges.usage(peer);
  }

  // peer null: this node's own write
  private PutOutcome store(PeerId peer, KadRecord record, Quota quota) {
    ByteBuffer k = ByteBuffer.wrap(record.key());
    Instant now = clock.instant();
    Entry held = records.get(k);
    if (held != null && expired(held, now)) {
      drop(k, held); // an expired record is not held: a PUT of its key is a new record
      held = null;
    }
    if (held == null && records.size() >= maxRecords && expire() == 0) {
      refusedFull.incrementAndGet();
      return PutOutcome.FULL;
    }
    long bytes = Charges.bytesOf(record.key(), record.value());
    PeerId owner = null;
    if (peer == null) {
      if (held != null && held.owner() != null) {
        charges.release(held.owner(), held.bytes());
      }
    } else if (held == null) {
      if (!charges.fits(peer, bytes, quota)) {
        refusedQuota.incrementAndGet();
        return PutOutcome.OVER_QUOTA;
      }
      charges.charge(peer, bytes);
      owner = peer;
    } else if (held.owner() != null) {
      owner = held.owner();
      charges.resize(owner, held.bytes(), bytes);
    }
    records.put(k, new Entry(record, now, owner));
    return PutOutcome.STORED;
  }

  private void drop(ByteBuffer k, Entry e) {
    records.remove(k);
    if (e.owner() != null) {
      charges.release(e.owner(), e.bytes());
    }
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
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    Entry e = records.get(k);
    if (e == null) {
      return false;
    }
    drop(k, e);
    return true;
  }

  @Override
  public synchronized int expire() {
    Instant now = clock.instant();
    int before = records.size();
    records
        .values()
        .removeIf(
            e -> {
              if (!expired(e, now)) {
                return false;
              }
              if (e.owner() != null) {
                charges.release(e.owner(), e.bytes());
              }
              return true;
            });
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

  /** Puts refused because the peer's quota was used up (a rejection metric). */
  public long refusedQuota() {
    return refusedQuota.get();
  }

  private boolean expired(Entry e, Instant now) {
    return !now.isBefore(e.storedAt().plus(expiry));
  }
}
