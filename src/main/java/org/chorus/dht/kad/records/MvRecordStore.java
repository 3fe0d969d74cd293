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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.store.GroupCommit;
import org.chorus.dht.store.MvStores;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * A {@link RecordStore} in an H2 MVStore file of the data directory (by convention {@code
 * <dataDir>/kad-records.mv.db}), with the semantics and cap of {@link InMemoryRecordStore}: values
 * expire {@code expiry} after they were stored, a new key is refused when {@code maxRecords} keys
 * are held (after expired ones were dropped), existing keys can always be replaced, and the
 * per-peer {@linkplain RecordStore.Quota quota} of {@link #putFor}.
 *
 * <p>Charges: a second map ({@code owners}) holds, for every record charged to a peer, that peer
 * and the bytes charged; it changes in the same commit as the record, so the two agree after a
 * crash. Opening the file sums it into the per-peer tally, so the quota holds across restarts
 * (reading only the small owner entries, not the values). Records written before the map existed
 * are charged to no one.
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
  private static final String OWNERS = "owners";
  private static final HexFormat HEX = HexFormat.of();

  private final MVStore store;
  private final MVMap<String, byte[]> records;
  private final MVMap<String, byte[]> owners;
  private final Charges charges = new Charges();
  private final GroupCommit groupCommit;
  private final Clock clock;
  private final Duration expiry;
  private final int maxRecords;
  private final AtomicLong refusedFull = new AtomicLong();
  private final AtomicLong refusedQuota = new AtomicLong();

  private MvRecordStore(MVStore store, Clock clock, Duration expiry, int maxRecords) {
    this.store = store;
    this.records = store.openMap(MAP);
    this.owners = store.openMap(OWNERS);
    for (byte[] owner : owners.values()) {
      Owner o = decodeOwner(owner);
      charges.charge(o.peer(), o.bytes());
    }
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
      records.put(k, encode(record, now));
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
      if (!drop(HEX.formatHex(key))) {
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

  /** Puts refused because the peer's quota was used up (a rejection metric). */
  public long refusedQuota() {
    return refusedQuota.get();
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
    dead.forEach(this::drop);
    return dead.size();
  }

  // caller holds the lock: removes the record and its charge; the caller syncs
  private boolean drop(String k) {
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
