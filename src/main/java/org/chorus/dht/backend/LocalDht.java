package org.chorus.dht.backend;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.backend.RecordRejectedException.Reason;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.ExpiryIndex;
import org.chorus.dht.store.MvStores;
import org.chorus.dht.store.StoreException;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStoreException;

/**
 * The embedded, persistent single-node backend: the record store and provider store of one node
 * with no network, in maps {@code dht.*} of the node's {@link DataStore}.
 *
 * <p><b>Durability.</b> {@link #putValue}, {@link #deleteValue} and {@link #provide} return only
 * after the data store's commit and {@code fsync} that cover the change (deferred to its end inside
 * a {@linkplain DataStore#durably unit of work}). Concurrent writers share syncs. On-disk crash
 * behaviour and damaged files: see {@link MvStores}.
 *
 * <p><b>Records.</b> A value is stored with the time it was received (from the injected {@link
 * Clock}); it expires {@link LocalDhtConfig#valueTtl()} later. Values are opaque bytes here: the
 * service validates envelopes and picks between versions before it puts. A put overwrites. Expired
 * entries are invisible to reads at once and removed by {@link #expireNow()}, which a scheduler
 * calls (a secondary map ordered by time makes the sweep proportional to what expires).
 *
 * <p><b>Providers.</b> {@link #provide} records this node (id {@link LocalDhtConfig#nodeId()},
 * {@link LocalDhtConfig#listenAddrs()}, added-at time) as provider of a key, valid {@link
 * LocalDhtConfig#providerTtl()}.
 *
 * <p><b>Bounds.</b> Values larger than {@link LocalDhtConfig#maxValueBytes()}, new keys beyond
 * {@link LocalDhtConfig#maxRecords()} / {@link LocalDhtConfig#maxProviderRecords()} and bad keys
 * are refused with {@link RecordRejectedException}, counted in {@link #counters()}. Heap use is
 * bounded by the MVStore page cache ({@link LocalDhtConfig#cacheSizeMb()}).
 *
 * <p><b>Thread-safety.</b> Thread-safe. Map mutations that must stay consistent with the expiry
 * index run under one short in-memory lock; the sync runs outside it, grouped.
 */
public final class LocalDht implements DhtBackend {

  /** {@link #name()} and the mode in {@link #stats()}. */
  public static final String NAME = "local";

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "dht.";

  private static final String VALUES = PREFIX + "values";
  private static final String VALUES_BY_TIME = PREFIX + "values.byTime";
  private static final String PROVIDERS = PREFIX + "providers";
  private static final String PROVIDERS_BY_TIME = PREFIX + "providers.byTime";
  private static final char SEP = '\0';

  /** Entries removed per lock hold by {@link #expireNow()}. */
  static final int EXPIRE_BATCH = 1000;

  private final LocalDhtConfig config;
  private final Clock clock;
  private final Instant openedAt;
  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, byte[]> values;
  private final ExpiryIndex valuesByTime;
  private final MVMap<String, byte[]> providers;
  private final ExpiryIndex providersByTime;
  private final Object mutation = new Object();
  private volatile boolean closed;

  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong rejectedTooLarge = new AtomicLong();
  private final AtomicLong rejectedFull = new AtomicLong();
  private final AtomicLong rejectedKey = new AtomicLong();
  private final AtomicLong expiredValues = new AtomicLong();
  private final AtomicLong expiredProviders = new AtomicLong();

  private LocalDht(LocalDhtConfig config, Clock clock, DataStore store, boolean ownsStore) {
    this.config = config;
    this.clock = clock;
    this.openedAt = clock.instant();
    this.store = store;
    this.ownsStore = ownsStore;
    this.values = store.map(VALUES);
    this.valuesByTime = new ExpiryIndex(store, VALUES_BY_TIME);
    this.providers = store.map(PROVIDERS);
    this.providersByTime = new ExpiryIndex(store, PROVIDERS_BY_TIME);
  }

  /**
   * Opens (or creates) the store on its own data store file {@link LocalDhtConfig#file()} (tests,
   * tools); closing it closes that file.
   *
   * @throws IllegalArgumentException if the config is invalid
   * @throws DhtBackendException if the store file cannot be opened (see {@link MvStores})
   */
  public static LocalDht open(LocalDhtConfig config, Clock clock) {
    config.validate();
    DataStore store;
    try {
      store = DataStore.open(config.file(), config.cacheSizeMb());
    } catch (StoreException e) {
      throw new DhtBackendException(e.getMessage(), e);
    }
    try {
      return new LocalDht(config, clock, store, true);
    } catch (RuntimeException e) {
      store.close();
      throw new DhtBackendException("failed to open record store " + config.file() + ": " + e, e);
    }
  }

  /**
   * Opens the store on the node's data store {@code store}, which it shares with the node's other
   * stores (and does not close).
   */
  public static LocalDht open(LocalDhtConfig config, Clock clock, DataStore store) {
    config.validate();
    return new LocalDht(config, clock, store, false);
  }

  @Override
  public String name() {
    return NAME;
  }

  public LocalDhtConfig config() {
    return config;
  }

  @Override
  public PutResult putValue(String key, byte[] value) {
    checkPut(key, value);
    long now = clock.millis();
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      applyPut(key, value, now);
      ticket = store.register();
    }
    sync(ticket, "put");
    puts.incrementAndGet();
    return new PutResult(1, 1);
  }

  /**
   * Stores several values with one sync (bulk import, tests). Every key and size is checked before
   * anything is written; the batch is not atomic otherwise: if the store fills up part way, the
   * values before that point stay stored.
   *
   * @throws RecordRejectedException for a bad key, an oversize value or a full store
   */
  public void putValues(Map<String, byte[]> batch) {
    batch.forEach(this::checkPut);
    long now = clock.millis();
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      try {
        batch.forEach((key, value) -> applyPut(key, value, now));
      } finally {
        ticket = store.register();
      }
    }
    sync(ticket, "put");
    puts.addAndGet(batch.size());
  }

  private void checkPut(String key, byte[] value) {
    checkKey(key);
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    if (value.length > config.maxValueBytes()) {
      rejectedTooLarge.incrementAndGet();
      throw new RecordRejectedException(
          Reason.TOO_LARGE,
          "value of "
              + value.length
              + " bytes is larger than the limit of "
              + config.maxValueBytes()
              + " bytes");
    }
  }

  /** Caller holds the mutation lock. */
  private void applyPut(String key, byte[] value, long now) {
    byte[] record = ByteBuffer.allocate(8 + value.length).putLong(now).put(value).array();
    try {
      byte[] old = values.get(key);
      if (old == null && values.sizeAsLong() >= config.maxRecords()) {
        rejectedFull.incrementAndGet();
        throw new RecordRejectedException(
            Reason.STORE_FULL,
            "record store is full (" + config.maxRecords() + " records); value not stored");
      }
      if (old != null) {
        valuesByTime.remove(stampOf(old), key);
      }
      values.put(key, record);
      valuesByTime.add(now, key);
    } catch (MVStoreException e) {
      throw failure("put", e);
    }
  }

  @Override
  public Optional<byte[]> getValue(String key) {
    return getRecord(key).map(StoredValue::value);
  }

  /** The current value with the time it was received, if present and not expired. */
  public Optional<StoredValue> getRecord(String key) {
    checkKey(key);
    ensureOpen();
    gets.incrementAndGet();
    byte[] record;
    try {
      record = values.get(key);
    } catch (MVStoreException e) {
      throw failure("get", e);
    }
    if (record == null) {
      return Optional.empty();
    }
    long receivedAt = receivedAt(record);
    if (isExpired(receivedAt, config.valueTtl())) {
      return Optional.empty();
    }
    hits.incrementAndGet();
    return Optional.of(
        new StoredValue(
            Arrays.copyOfRange(record, 8, record.length), Instant.ofEpochMilli(receivedAt)));
  }

  @Override
  public boolean deleteValue(String key) {
    checkKey(key);
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      try {
        byte[] old = values.remove(key);
        if (old == null) {
          return false;
        }
        valuesByTime.remove(receivedAt(old), key);
      } catch (MVStoreException e) {
        throw failure("delete", e);
      }
      ticket = store.register();
    }
    sync(ticket, "delete");
    return true;
  }

  @Override
  public void provide(String key) {
    checkKey(key);
    long now = clock.millis();
    String providerKey = key + SEP + config.nodeId();
    byte[] record = encodeProvider(now, config.listenAddrs());
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      try {
        byte[] old = providers.get(providerKey);
        if (old == null && providers.sizeAsLong() >= config.maxProviderRecords()) {
          rejectedFull.incrementAndGet();
          throw new RecordRejectedException(
              Reason.STORE_FULL,
              "provider store is full (" + config.maxProviderRecords() + " records)");
        }
        if (old != null) {
          providersByTime.remove(stampOf(old), providerKey);
        }
        providers.put(providerKey, record);
        providersByTime.add(now, providerKey);
      } catch (MVStoreException e) {
        throw failure("provide", e);
      }
      ticket = store.register();
    }
    sync(ticket, "provide");
  }

  @Override
  public List<Provider> findProviders(String key, int count) {
    checkKey(key);
    ensureOpen();
    List<Provider> result = new ArrayList<>();
    if (count <= 0) {
      return result;
    }
    String from = key + SEP;
    String to = key + (char) (SEP + 1);
    try {
      Cursor<String, byte[]> cursor = providers.cursor(from, to, false);
      while (cursor.hasNext() && result.size() < count) {
        String k = cursor.next();
        if (k.equals(to)) {
          break;
        }
        Provider p = decodeProvider(k.substring(from.length()), cursor.getValue());
        if (!isExpired(p.addedAtMillis(), config.providerTtl())) {
          result.add(p);
        }
      }
    } catch (MVStoreException e) {
      throw failure("find providers", e);
    }
    return result;
  }

  /**
   * Removes every value and provider record past its lifetime. Called by a scheduler; cost is
   * proportional to what expires. Removals are committed and synced once per sweep (so that every
   * commit this class makes is synced, which MVStore's chunk reuse assumes).
   *
   * @return how many values and provider records were removed
   */
  public int expireNow() {
    long now = clock.millis();
    int v = sweep(valuesByTime, values, now - config.valueTtl().toMillis());
    int p = sweep(providersByTime, providers, now - config.providerTtl().toMillis());
    expiredValues.addAndGet(v);
    expiredProviders.addAndGet(p);
    if (v + p > 0) {
      try {
        store.commit();
      } catch (StoreException | MVStoreException e) {
        throw new DhtBackendException("failed to commit expiry in " + config.file() + ": " + e, e);
      }
    }
    return v + p;
  }

  /**
   * Removes entries stamped at or before {@code cutoff}, in batches of {@link #EXPIRE_BATCH} so
   * that writers are never blocked for long and the sweep's heap use stays small.
   */
  private int sweep(ExpiryIndex byTime, MVMap<String, byte[]> primary, long cutoff) {
    int removed = 0;
    while (true) {
      synchronized (mutation) {
        ensureOpen();
        try {
          List<ExpiryIndex.Stamped> batch = byTime.takeDue(cutoff, EXPIRE_BATCH);
          for (ExpiryIndex.Stamped due : batch) {
            byte[] record = primary.get(due.key());
            if (record != null && stampOf(record) <= cutoff) {
              primary.remove(due.key());
              removed++;
            }
          }
          if (batch.size() < EXPIRE_BATCH) {
            return removed;
          }
        } catch (MVStoreException e) {
          throw failure("expire", e);
        }
      }
    }
  }

  @Override
  public BackendStats stats() {
    ensureOpen();
    long uptime = Math.max(0, Duration.between(openedAt, clock.instant()).toSeconds());
    return new BackendStats(
        NAME,
        config.nodeId(),
        config.listenAddrs(),
        NAME,
        false,
        0,
        values.sizeAsLong(),
        0,
        uptime);
  }

  /** Counters for metrics; each is monotonic since open. */
  public Counters counters() {
    return new Counters(
        puts.get(),
        gets.get(),
        hits.get(),
        rejectedTooLarge.get(),
        rejectedFull.get(),
        rejectedKey.get(),
        expiredValues.get(),
        expiredProviders.get(),
        store.commits(),
        store.flushes(),
        values.sizeAsLong(),
        providers.sizeAsLong());
  }

  /** True until {@link #close()}; and false if the store failed (a health indicator reads it). */
  public boolean isOpen() {
    return !closed && store.isOpen();
  }

  /** Stops accepting changes; closes the data store if it opened it. Idempotent. */
  @Override
  public void close() {
    synchronized (mutation) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (!ownsStore) {
      return;
    }
    try {
      store.close();
    } catch (StoreException e) {
      throw new DhtBackendException("failed to close record store " + config.file() + ": " + e, e);
    }
  }

  private void sync(long ticket, String operation) {
    try {
      store.awaitDurable(ticket);
    } catch (StoreException | MVStoreException e) {
      throw new DhtBackendException(
          "failed to " + operation + " value: sync of " + config.file() + " failed: " + e, e);
    }
  }

  private DhtBackendException failure(String operation, MVStoreException e) {
    return new DhtBackendException(
        "failed to " + operation + " in record store " + config.file() + ": " + e.getMessage(), e);
  }

  private void ensureOpen() {
    if (closed || !store.isOpen()) {
      throw new DhtBackendException("local DHT " + config.file() + " is closed");
    }
  }

  private void checkKey(String key) {
    String problem = null;
    if (key == null || key.isEmpty()) {
      problem = "key must not be empty";
    } else if (key.length() > config.maxKeyLength()) {
      problem = "key longer than " + config.maxKeyLength() + " characters";
    } else if (key.indexOf(SEP) >= 0) {
      problem = "key must not contain NUL";
    }
    if (problem != null) {
      rejectedKey.incrementAndGet();
      throw new RecordRejectedException(Reason.INVALID_KEY, problem);
    }
  }

  private boolean isExpired(long stampMillis, Duration ttl) {
    return stampMillis + ttl.toMillis() <= clock.millis();
  }

  private static long receivedAt(byte[] record) {
    return stampOf(record);
  }

  /** Both value and provider records start with their 8-byte time stamp (epoch millis). */
  private static long stampOf(byte[] record) {
    return ByteBuffer.wrap(record, 0, 8).getLong();
  }

  private static byte[] encodeProvider(long addedAt, List<String> addresses) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(addedAt);
      out.writeInt(addresses.size());
      for (String a : addresses) {
        out.writeUTF(a);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Provider decodeProvider(String peerId, byte[] record) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
      long addedAt = in.readLong();
      int n = in.readInt();
      List<String> addresses = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        addresses.add(in.readUTF());
      }
      return new Provider(peerId, addresses, addedAt);
    } catch (IOException e) {
      throw new DhtBackendException("corrupt provider record for " + peerId, e);
    }
  }

  /** A stored value and the time this node received it. */
  public record StoredValue(byte[] value, Instant receivedAt) {}

  /**
   * Monotonic counters since open, plus current sizes. {@code commits / syncs} is the average
   * group-commit size.
   */
  public record Counters(
      long puts,
      long gets,
      long hits,
      long rejectedTooLarge,
      long rejectedFull,
      long rejectedInvalidKey,
      long expiredValues,
      long expiredProviders,
      long commits,
      long syncs,
      long values,
      long providerRecords) {}
}
