package org.chorus.dht.kad.records;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.store.GroupCommit;
import org.chorus.dht.store.MvStores;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * A {@link RecordStore} in an H2 MVStore file of the data directory (by convention {@code
 * <dataDir>/kad-records.mv.db}), with the semantics and cap of {@link InMemoryRecordStore}: values
 * expire {@code expiry} after they were stored, a new key is refused when {@code maxRecords} keys
 * are held (after expired ones were dropped), existing keys can always be replaced.
 *
 * <p>Durability: {@link #put}, {@link #remove} and {@link #expire} return only after an MVStore
 * commit and {@code fsync} that cover the change (shared through {@link GroupCommit}), so a restart
 * loses nothing acknowledged; a failed sync surfaces as {@link UncheckedIOException}.
 *
 * <p>Thread-safe: changes are applied under the store's lock, the sync runs outside it.
 */
public final class MvRecordStore implements RecordStore, AutoCloseable {
  /** The file name used in the data directory. */
  public static final String FILE_NAME = "kad-records.mv.db";

  /** Named cap: page cache of the file, which bounds its heap use. */
  public static final int DEFAULT_CACHE_MB = 16;

  private static final String MAP = "records";
  private static final HexFormat HEX = HexFormat.of();

  private final MVStore store;
  private final MVMap<String, byte[]> records;
  private final GroupCommit groupCommit;
  private final Clock clock;
  private final Duration expiry;
  private final int maxRecords;
  private final AtomicLong refusedFull = new AtomicLong();

  private MvRecordStore(MVStore store, Clock clock, Duration expiry, int maxRecords) {
    this.store = store;
    this.records = store.openMap(MAP);
    this.groupCommit = new GroupCommit(() -> MvStores.commitAndSync(store));
    this.clock = clock;
    this.expiry = expiry;
    this.maxRecords = maxRecords;
  }

  /**
   * Opens (creating if absent) the store file.
   *
   * @throws MvStores.StoreOpenException if the file cannot be opened (see {@link MvStores})
   */
  public static MvRecordStore open(Path file, Clock clock, Duration expiry, int maxRecords) {
    if (expiry.isNegative() || expiry.isZero() || maxRecords <= 0) {
      throw new IllegalArgumentException("expiry and maxRecords must be positive");
    }
    return new MvRecordStore(
        MvStores.open(file, DEFAULT_CACHE_MB, false), clock, expiry, maxRecords);
  }

  /** Opens {@code <dataDir>/kad-records.mv.db} with the default expiry and cap. */
  public static MvRecordStore openInDataDir(Path dataDir, Clock clock) {
    return open(
        dataDir.resolve(FILE_NAME), clock, DEFAULT_EXPIRY, InMemoryRecordStore.DEFAULT_MAX_RECORDS);
  }

  @Override
  public PutOutcome put(KadRecord record) {
    long ticket;
    synchronized (this) {
      String k = HEX.formatHex(record.key());
      if (!records.containsKey(k) && records.size() >= maxRecords && dropExpired() == 0) {
        refusedFull.incrementAndGet();
        return PutOutcome.FULL;
      }
      records.put(k, encode(record, clock.instant()));
      ticket = groupCommit.register();
    }
    sync(ticket);
    return PutOutcome.STORED;
  }

  @Override
  public Optional<KadRecord> get(byte[] key) {
    byte[] stored = records.get(HEX.formatHex(key));
    if (stored == null) {
      return Optional.empty();
    }
    Decoded d = decode(key, stored);
    if (expired(d.storedAt(), clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(d.record());
  }

  @Override
  public boolean remove(byte[] key) {
    long ticket;
    synchronized (this) {
      if (records.remove(HEX.formatHex(key)) == null) {
        return false;
      }
      ticket = groupCommit.register();
    }
    sync(ticket);
    return true;
  }

  @Override
  public int expire() {
    int removed;
    long ticket;
    synchronized (this) {
      removed = dropExpired();
      if (removed == 0) {
        return 0;
      }
      ticket = groupCommit.register();
    }
    sync(ticket);
    return removed;
  }

  @Override
  public int size() {
    return records.size();
  }

  /** Puts refused because the store was full (a rejection metric). */
  public long refusedFull() {
    return refusedFull.get();
  }

  /** Commits and closes the file. */
  @Override
  public synchronized void close() {
    if (!store.isClosed()) {
      MvStores.close(store);
    }
  }

  // caller holds the lock; the caller syncs
  private int dropExpired() {
    Instant now = clock.instant();
    List<String> dead = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : records.entrySet()) {
      if (expired(storedAt(e.getValue()), now)) {
        dead.add(e.getKey());
      }
    }
    dead.forEach(records::remove);
    return dead.size();
  }

  private void sync(long ticket) {
    try {
      groupCommit.awaitDurable(ticket);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to sync kad record store: " + e.getMessage(), e);
    }
  }

  private boolean expired(Instant storedAt, Instant now) {
    return !now.isBefore(storedAt.plus(expiry));
  }

  private record Decoded(KadRecord record, Instant storedAt) {}

  // layout: storedAt seconds (long), nanos (int), timeReceived (UTF), value length (int), value
  private static byte[] encode(KadRecord record, Instant storedAt) {
    byte[] value = record.value();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(storedAt.getEpochSecond());
      out.writeInt(storedAt.getNano());
      out.writeUTF(record.timeReceived());
      out.writeInt(value.length);
      out.write(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Instant storedAt(byte[] stored) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      return Instant.ofEpochSecond(in.readLong(), in.readInt());
    } catch (IOException e) {
      throw new UncheckedIOException("failed to decode stored kad record", e);
    }
  }

  private static Decoded decode(byte[] key, byte[] stored) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
      String timeReceived = in.readUTF();
      byte[] value = in.readNBytes(in.readInt());
      return new Decoded(new KadRecord(key, value, timeReceived), at);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to decode stored kad record", e);
    }
  }
}
