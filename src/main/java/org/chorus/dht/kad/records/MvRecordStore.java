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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.ExpiryIndex;
import org.chorus.dht.store.MvStores;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * A {@link RecordStore} in maps {@code kad.records.*} of the node's {@link DataStore}, with the
 * semantics and cap of {@link InMemoryRecordStore}: values expire {@code expiry} after they were
 * stored, a new key is refused when {@code maxRecords} keys are held (after expired ones were
 * dropped), existing keys can always be replaced, and the per-peer {@linkplain RecordStore.Quota
 * quota} of {@link #putFor}.
 *
 * <p>Charges: a second map ({@code owners}) holds, for every record charged to a peer, that peer
 * and the bytes charged; it changes in the same commit as the record, so the two agree after a
 * crash. Opening the file sums it into the per-peer tally, so the quota holds across restarts
 * (reading only the small owner entries, not the values). Records written before the map existed
 * are charged to no one.
 *
 * <p>Expiry: an {@link ExpiryIndex} orders the records by the time they were stored, so {@link
 * #expire} and a full store's search for room cost time in proportion to what expired (a store
 * written before the index existed gets it built once, at open).
 *
 * <p>Durability: {@link #put}, {@link #remove} and {@link #expire} return only after the data
 * store's commit and {@code fsync} that cover the change, so a restart loses nothing acknowledged;
 * a failed sync surfaces as {@link org.chorus.dht.store.StoreException}.
 *
 * <p>Thread-safe: changes are applied under the store's lock, the sync runs outside it.
 */
public final class MvRecordStore implements RecordStore, AutoCloseable {
  /** The file name of earlier versions in the data directory (moved into the data store). */
  public static final String FILE_NAME = "kad-records.mv.db";

  /** Named cap: page cache of a store on its own file, which bounds its heap use. */
  public static final int DEFAULT_CACHE_MB = 16;

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "kad.records.";

  /** Records removed per expiry pass under the lock. */
  static final int EXPIRE_BATCH = 1000;

  private static final String MAP = PREFIX + "records";
  private static final String OWNERS = PREFIX + "owners";
  private static final String BY_TIME = PREFIX + "records.byTime";
  private static final HexFormat HEX = HexFormat.of();

  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, byte[]> records;
  private final MVMap<String, byte[]> owners;
  private final ExpiryIndex byTime;
  private final Charges charges = new Charges();
  private final Clock clock;
  private final Duration expiry;
  private final int maxRecords;
  private final AtomicLong refusedFull = new AtomicLong();
  private final AtomicLong refusedQuota = new AtomicLong();

  private MvRecordStore(
      DataStore store, boolean ownsStore, Clock clock, Duration expiry, int maxRecords) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.records = store.map(MAP);
    this.owners = store.map(OWNERS);
    this.byTime = new ExpiryIndex(store, BY_TIME);
    for (byte[] owner : owners.values()) {
      Owner o = decodeOwner(owner);
      charges.charge(o.peer(), o.bytes());
    }
    if (byTime.isEmpty() && !records.isEmpty()) {
      Cursor<String, byte[]> c = records.cursor(null);
      while (c.hasNext()) {
        String k = c.next();
        byTime.add(storedAt(c.getValue()).toEpochMilli(), k);
      }
      store.commit();
    }
    this.clock = clock;
    this.expiry = expiry;
    this.maxRecords = maxRecords;
  }

  /**
   * Opens (creating if absent) the store on its own data store file (tests; closing the store
   * closes the file).
   *
   * @throws org.chorus.dht.store.StoreException if the file cannot be opened (see {@link MvStores})
   */
  public static MvRecordStore open(Path file, Clock clock, Duration expiry, int maxRecords) {
    check(expiry, maxRecords);
    return new MvRecordStore(
        DataStore.open(file, DEFAULT_CACHE_MB), true, clock, expiry, maxRecords);
  }

  /**
   * Opens the store on the node's data store, which it shares (and does not close), with the
   * default expiry and cap.
   */
  public static MvRecordStore open(DataStore store, Clock clock) {
    return new MvRecordStore(
        store, false, clock, DEFAULT_EXPIRY, InMemoryRecordStore.DEFAULT_MAX_RECORDS);
  }

  private static void check(Duration expiry, int maxRecords) {
    if (expiry.isNegative() || expiry.isZero() || maxRecords <= 0) {
      throw new IllegalArgumentException("expiry and maxRecords must be positive");
    }
  }

  /** Opens the store on its own file {@code <dataDir>/kad-records.mv.db} (tests). */
  public static MvRecordStore openInDataDir(Path dataDir, Clock clock) {
    return open(
        dataDir.resolve(FILE_NAME), clock, DEFAULT_EXPIRY, InMemoryRecordStore.DEFAULT_MAX_RECORDS);
  }

  @Override
  public PutOutcome put(KadRecord record) {
    return store(null, record, null);
  }

  @Override
  public PutOutcome putFor(PeerId peer, KadRecord record, Quota quota) {
    return store(Objects.requireNonNull(peer, "peer"), record, Objects.requireNonNull(quota));
  }

  @Override
  public synchronized Usage usage(PeerId peer) {
    return charges.usage(peer);
  }

  // peer null: this node's own write
  private PutOutcome store(PeerId peer, KadRecord record, Quota quota) {
    long ticket;
    synchronized (this) {
      String k = HEX.formatHex(record.key());
      Instant now = clock.instant();
      byte[] heldValue = records.get(k);
      boolean held = heldValue != null && !expired(storedAt(heldValue), now);
      if (heldValue != null && !held) {
        drop(k); // an expired record is not held: a PUT of its key is a new record
      }
      if (!held && records.size() >= maxRecords && dropExpired() == 0) {
        refusedFull.incrementAndGet();
        return PutOutcome.FULL;
      }
      long bytes = Charges.bytesOf(record.key(), record.value());
      Owner owner = held ? ownerOf(k) : null;
      if (peer == null) {
        if (owner != null) {
          charges.release(owner.peer(), owner.bytes());
          owners.remove(k);
        }
      } else if (!held) {
        if (!charges.fits(peer, bytes, quota)) {
          refusedQuota.incrementAndGet();
          return PutOutcome.OVER_QUOTA;
        }
        charges.charge(peer, bytes);
        owners.put(k, encodeOwner(new Owner(peer, bytes)));
      } else if (owner != null) {
        charges.resize(owner.peer(), owner.bytes(), bytes);
        owners.put(k, encodeOwner(new Owner(owner.peer(), bytes)));
      }
      byte[] replaced = records.put(k, encode(record, now));
      if (replaced != null) {
        byTime.remove(storedAt(replaced).toEpochMilli(), k);
      }
      byTime.add(now.toEpochMilli(), k);
      ticket = store.register();
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
      if (!drop(HEX.formatHex(key))) {
        return false;
      }
      ticket = store.register();
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
      ticket = store.register();
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

  /** Puts refused because the peer's quota was used up (a rejection metric). */
  public long refusedQuota() {
    return refusedQuota.get();
  }

  /** Closes the data store if it opened it. */
  @Override
  public synchronized void close() {
    if (ownsStore) {
      store.close();
    }
  }

  // caller holds the lock; the caller syncs. Walks the expiry index from the oldest stamp.
  private int dropExpired() {
    Instant now = clock.instant();
    long cutoff = now.minus(expiry).toEpochMilli();
    int removed = 0;
    while (true) {
      List<ExpiryIndex.Stamped> due = byTime.takeDue(cutoff, EXPIRE_BATCH);
      List<ExpiryIndex.Stamped> notYet = new ArrayList<>();
      for (ExpiryIndex.Stamped s : due) {
        byte[] held = records.get(s.key());
        if (held == null) {
          continue;
        }
        Instant at = storedAt(held);
        if (at.toEpochMilli() != s.millis()) {
          continue; // re-stored since: its newer stamp has its own entry
        }
        if (expired(at, now)) {
          dropRecord(s.key());
          removed++;
        } else {
          notYet.add(s); // within the last millisecond of its life
        }
      }
      notYet.forEach(s -> byTime.add(s.millis(), s.key()));
      // what is not yet expired has the newest due stamp: nothing after it in the index expired
      if (due.size() < EXPIRE_BATCH || !notYet.isEmpty()) {
        return removed;
      }
    }
  }

  // caller holds the lock: removes the record, its stamp and its charge; the caller syncs
  private boolean drop(String k) {
    byte[] held = records.get(k);
    if (held == null) {
      return false;
    }
    byTime.remove(storedAt(held).toEpochMilli(), k);
    return dropRecord(k);
  }

  // caller holds the lock: removes the record and its charge (not its stamp)
  private boolean dropRecord(String k) {
    if (records.remove(k) == null) {
      return false;
    }
    byte[] owner = owners.remove(k);
    if (owner != null) {
      Owner o = decodeOwner(owner);
      charges.release(o.peer(), o.bytes());
    }
    return true;
  }

  private Owner ownerOf(String k) {
    byte[] owner = owners.get(k);
    return owner == null ? null : decodeOwner(owner);
  }

  /** Who a record is charged to, and with how many bytes. */
  private record Owner(PeerId peer, long bytes) {}

  // layout: bytes charged (long), then the peer id's bytes
  private static byte[] encodeOwner(Owner o) {
    byte[] id = o.peer().toBytes();
    return java.nio.ByteBuffer.allocate(8 + id.length).putLong(o.bytes()).put(id).array();
  }

  private static Owner decodeOwner(byte[] stored) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(stored);
    long bytes = in.getLong();
    byte[] id = new byte[in.remaining()];
    in.get(id);
    return new Owner(PeerId.fromBytes(id), bytes);
  }

  private void sync(long ticket) {
    store.awaitDurable(ticket);
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
