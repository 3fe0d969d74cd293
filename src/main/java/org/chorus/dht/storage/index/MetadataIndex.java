package org.chorus.dht.storage.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.MvStores;
import org.chorus.dht.store.StoreException;
import org.chorus.dht.ucxl.UcxlAddress;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStoreException;

/**
 * Persistent index of {@link ContentMetadata} by canonical UCXL address, with secondary indexes for
 * search and listing, in its own H2 MVStore file {@code <dataDir>/index.mv.db}.
 *
 * <p><b>Why its own file.</b> The index is derived data (it could be rebuilt from the records): a
 * separate file keeps its format free to change, lets an operator delete it without touching the
 * records, and keeps a damaged index from taking the record store down. The price is a second sync
 * per store, which group commit amortises.
 *
 * <p><b>Layout.</b> A primary map {@code address -> encoded metadata} and one map per searchable
 * field ({@code agent}, {@code role}, {@code project}, {@code task}, {@code contentType}, {@code
 * creatorRole}, and time alone) whose keys are {@code value NUL timeKey NUL address}, where {@code
 * timeKey} sorts newest first. So each secondary map lists the entries for one value in result
 * order, time bounds become a key range, and nothing is scanned in memory. A search picks, among
 * the criteria given, the index whose key range is smallest (counted in O(log n) by MVStore's
 * counted B-tree), walks it in order and checks the other criteria on each entry until it has
 * {@code limit} results. Worst case (several broad criteria with an empty intersection) it walks
 * the smallest matching range once. Heap use is bounded by the page cache ({@link
 * MetadataIndexConfig#cacheSizeMb()}).
 *
 * <p><b>Durability.</b> {@link #put}, {@link #putAll} and {@link #delete} return after commit and
 * fsync of the node's {@link DataStore} (maps {@code index.*}), grouped across threads and deferred
 * to the end of a {@linkplain DataStore#durably unit of work}; crash and damaged-file behaviour as
 * in {@link MvStores}.
 *
 * <p><b>Thread-safety.</b> Thread-safe: writes hold one short in-memory lock so the primary and
 * secondary maps change together; reads do not lock (a search racing a write may see the entry in
 * its old or its new form, never a mix, because results are decoded from the primary map).
 */
public final class MetadataIndex implements AutoCloseable {

  private static final char SEP = '\0';

  /** Sorts after {@code SEP} (ends a time key's range of addresses). */
  private static final String END = String.valueOf((char) (SEP + 1));

  /** Sorts after every time key (ends a whole value's range). */
  private static final String MAX = "\uffff";

  private static final byte FORMAT = 1;

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "index.";

  /** A searchable field: its map and how to read it from an entry. */
  private enum Field {
    AGENT(PREFIX + "idx.agent", ContentMetadata::agent),
    ROLE(PREFIX + "idx.role", ContentMetadata::role),
    PROJECT(PREFIX + "idx.project", ContentMetadata::project),
    TASK(PREFIX + "idx.task", ContentMetadata::task),
    CONTENT_TYPE(PREFIX + "idx.contentType", ContentMetadata::contentType),
    CREATOR_ROLE(PREFIX + "idx.creatorRole", ContentMetadata::creatorRole);

    final String mapName;
    final Function<ContentMetadata, String> getter;

    Field(String mapName, Function<ContentMetadata, String> getter) {
      this.mapName = mapName;
      this.getter = getter;
    }
  }

  private final MetadataIndexConfig config;
  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, byte[]> primary;
  private final MVMap<String, String> byTime;
  private final List<MVMap<String, String>> byField = new ArrayList<>();
  private final Object mutation = new Object();
  private volatile boolean closed;

  private MetadataIndex(MetadataIndexConfig config, DataStore store, boolean ownsStore) {
    this.config = config;
    this.store = store;
    this.ownsStore = ownsStore;
    this.primary = store.map(PREFIX + "metadata");
    this.byTime = store.map(PREFIX + "idx.time");
    for (Field f : Field.values()) {
      byField.add(store.map(f.mapName));
    }
  }

  /**
   * Opens (or creates) the index on its own data store file {@link MetadataIndexConfig#file()}
   * (tests, tools); closing it closes the file.
   *
   * @throws MetadataIndexException if the file cannot be opened
   */
  public static MetadataIndex open(MetadataIndexConfig config) {
    config.validate();
    DataStore store;
    try {
      store = DataStore.open(config.file(), config.cacheSizeMb());
    } catch (StoreException e) {
      throw new MetadataIndexException(e.getMessage(), e);
    }
    return new MetadataIndex(config, store, true);
  }

  /** Opens the index on the node's data store, which it shares (and does not close). */
  public static MetadataIndex open(MetadataIndexConfig config, DataStore store) {
    config.validate();
    return new MetadataIndex(config, store, false);
  }

  /**
   * Up to {@code limit} indexed addresses after {@code after} (exclusive; null: from the first), in
   * address order: for walking every entry a page at a time.
   */
  public List<String> addresses(String after, int limit) {
    List<String> out = new java.util.ArrayList<>(Math.min(limit, 1024));
    java.util.Iterator<String> keys =
        after == null ? primary.keyIterator(null) : primary.keyIterator(after);
    while (keys.hasNext() && out.size() < limit) {
      String k = keys.next();
      if (after != null && k.equals(after)) {
        continue;
      }
      out.add(k);
    }
    return out;
  }

  /**
   * Inserts or replaces the entry for {@code metadata.address()}.
   *
   * @throws IllegalArgumentException if the address is not canonical or a field is unusable
   * @throws MetadataIndexException if the index is full, closed or cannot be written
   */
  public void put(ContentMetadata metadata) {
    putAll(List.of(metadata));
  }

  /**
   * Inserts or replaces several entries with one sync. Every entry is checked before any is
   * written; if the index fills up part way, the entries before that point stay.
   */
  public void putAll(Collection<ContentMetadata> entries) {
    entries.forEach(MetadataIndex::check);
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      try {
        for (ContentMetadata m : entries) {
          apply(m);
        }
      } catch (MVStoreException e) {
        throw failure("write", e);
      } finally {
        ticket = store.register();
      }
    }
    sync(ticket);
  }

  /** Caller holds the mutation lock. */
  private void apply(ContentMetadata m) {
    byte[] old = primary.get(m.address());
    if (old == null && primary.sizeAsLong() >= config.maxEntries()) {
      throw new MetadataIndexException(
          "metadata index is full (" + config.maxEntries() + " entries)");
    }
    if (old != null) {
      removeSecondary(decode(old));
    }
    primary.put(m.address(), encode(m));
    String suffix = timeKey(m.createdAt()) + SEP + m.address();
    byTime.put(suffix, "");
    Field[] fields = Field.values();
    for (int i = 0; i < fields.length; i++) {
      byField.get(i).put(fields[i].getter.apply(m) + SEP + suffix, "");
    }
  }

  private void removeSecondary(ContentMetadata m) {
    String suffix = timeKey(m.createdAt()) + SEP + m.address();
    byTime.remove(suffix);
    Field[] fields = Field.values();
    for (int i = 0; i < fields.length; i++) {
      byField.get(i).remove(fields[i].getter.apply(m) + SEP + suffix);
    }
  }

  /**
   * The entry for an address (either spelling).
   *
   * @throws org.chorus.dht.ucxl.InvalidUcxlAddressException if the address is invalid
   */
  public Optional<ContentMetadata> get(String address) {
    String canonical = UcxlAddress.parse(address).canonical();
    ensureOpen();
    try {
      byte[] bytes = primary.get(canonical);
      return bytes == null ? Optional.empty() : Optional.of(decode(bytes));
    } catch (MVStoreException e) {
      throw failure("read", e);
    }
  }

  /**
   * Removes the entry for an address (either spelling).
   *
   * @return whether there was one
   */
  public boolean delete(String address) {
    String canonical = UcxlAddress.parse(address).canonical();
    long ticket;
    synchronized (mutation) {
      ensureOpen();
      try {
        byte[] old = primary.remove(canonical);
        if (old == null) {
          return false;
        }
        removeSecondary(decode(old));
      } catch (MVStoreException e) {
        throw failure("delete", e);
      }
      ticket = store.register();
    }
    sync(ticket);
    return true;
  }

  /** Entries matching every criterion of {@code query}, newest first, then by address. */
  public List<ContentMetadata> search(Query query) {
    ensureOpen();
    String[] values = {
      query.agent(), query.role(), query.project(), query.task(), query.contentType(), null
    };
    String lo = timeLow(query.createdBefore());
    String hi = timeHigh(query.createdAfter());
    MVMap<String, String> bestMap = byTime;
    String bestLo = lo;
    String bestHi = hi;
    long bestCount = Long.MAX_VALUE;
    try {
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          continue;
        }
        MVMap<String, String> map = byField.get(i);
        String prefix = values[i] + SEP;
        long count = rangeCount(map, prefix + lo, prefix + hi);
        if (count < bestCount) {
          bestCount = count;
          bestMap = map;
          bestLo = prefix + lo;
          bestHi = prefix + hi;
        }
      }
      return walk(bestMap, bestLo, bestHi, query.limit(), m -> matches(m, query));
    } catch (MVStoreException e) {
      throw failure("search", e);
    }
  }

  /**
   * Entries created by principals of {@code creatorRole}, newest first, then by address.
   *
   * @param limit 1 to {@link Query#MAX_LIMIT}
   */
  public List<ContentMetadata> byCreatorRole(String creatorRole, int limit) {
    if (limit < 1 || limit > Query.MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + Query.MAX_LIMIT + ", was " + limit);
    }
    ensureOpen();
    String prefix = creatorRole + SEP;
    try {
      return walk(
          byField.get(Field.CREATOR_ROLE.ordinal()),
          prefix,
          prefix + MAX,
          limit,
          m -> m.creatorRole().equals(creatorRole));
    } catch (MVStoreException e) {
      throw failure("search", e);
    }
  }

  /** Number of entries. */
  public long count() {
    ensureOpen();
    return primary.sizeAsLong();
  }

  public MetadataIndexConfig config() {
    return config;
  }

  /** True until {@link #close()}; false too if the store failed. */
  public boolean isOpen() {
    return !closed && store.isOpen();
  }

  /** Fsyncs done; with {@link #commits()} shows the group-commit size. */
  public long syncs() {
    return store.flushes();
  }

  public long commits() {
    return store.commits();
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
      throw new MetadataIndexException(
          "failed to close metadata index " + config.file() + ": " + e, e);
    }
  }

  private List<ContentMetadata> walk(
      MVMap<String, String> map,
      String lo,
      String hi,
      int limit,
      java.util.function.Predicate<ContentMetadata> filter) {
    List<ContentMetadata> result = new ArrayList<>(Math.min(limit, 128));
    Set<String> seen = new HashSet<>(); // an upsert racing the walk may show an entry twice
    Cursor<String, String> cursor = map.cursor(lo, hi, false);
    while (cursor.hasNext() && result.size() < limit) {
      String key = cursor.next();
      if (key.compareTo(hi) >= 0) {
        break;
      }
      int sep = key.lastIndexOf(SEP);
      String address = key.substring(sep + 1);
      byte[] bytes = primary.get(address);
      if (bytes == null) {
        continue; // removed since the cursor was made
      }
      ContentMetadata m = decode(bytes);
      if (!key.startsWith(timeKey(m.createdAt()), sep - TIME_KEY_LENGTH)) {
        continue; // a stale key: the entry was rewritten with another time since the cursor was
        // made
      }
      if (filter.test(m) && seen.add(address)) {
        result.add(m);
      }
    }
    return result;
  }

  private static boolean matches(ContentMetadata m, Query q) {
    return (q.agent() == null || q.agent().equals(m.agent()))
        && (q.role() == null || q.role().equals(m.role()))
        && (q.project() == null || q.project().equals(m.project()))
        && (q.task() == null || q.task().equals(m.task()))
        && (q.contentType() == null || q.contentType().equals(m.contentType()))
        && (q.createdAfter() == null || !m.createdAt().isBefore(q.createdAfter()))
        && (q.createdBefore() == null || m.createdAt().isBefore(q.createdBefore()));
  }

  private static long rangeCount(MVMap<String, String> map, String lo, String hi) {
    return insertionPoint(map.getKeyIndex(hi)) - insertionPoint(map.getKeyIndex(lo));
  }

  private static long insertionPoint(long keyIndex) {
    return keyIndex >= 0 ? keyIndex : -(keyIndex + 1);
  }

  /**
   * Newest-first sort key: 16 hex digits of the inverted, sign-flipped epoch second, then 8 of the
   * inverted nanoseconds. Later instants give smaller keys.
   */
  static final int TIME_KEY_LENGTH = 24;

  static String timeKey(Instant t) {
    long seconds = ~(t.getEpochSecond() ^ Long.MIN_VALUE);
    int nanos = 999_999_999 - t.getNano();
    return hex(seconds, 16) + hex(nanos, 8);
  }

  private static String hex(long value, int digits) {
    String s = Long.toHexString(value);
    if (digits == 8) {
      s = Long.toHexString(value & 0xffffffffL);
    }
    return "0".repeat(digits - s.length()) + s;
  }

  /** Start of the range for {@code createdAt < before}: the newest admissible instant. */
  private static String timeLow(Instant before) {
    return before == null ? "" : timeKey(before.minusNanos(1));
  }

  /** End (exclusive) of the range for {@code createdAt >= after}. */
  private static String timeHigh(Instant after) {
    return after == null ? MAX : timeKey(after) + END;
  }

  private static void check(ContentMetadata m) {
    UcxlAddress parsed = UcxlAddress.parse(m.address());
    if (!parsed.canonical().equals(m.address())) {
      throw new IllegalArgumentException(
          "metadata address must be canonical: " + parsed.canonical());
    }
    if (!parsed.agent().equals(m.agent())
        || !parsed.role().equals(m.role())
        || !parsed.project().equals(m.project())
        || !parsed.task().equals(m.task())
        || !parsed.path().equals(m.path())) {
      throw new IllegalArgumentException(
          "metadata agent/role/project/task/path do not match the address " + m.address());
    }
    checkField("contentType", m.contentType());
    checkField("creatorRole", m.creatorRole());
    if (m.encryptedFor().size() > MetadataIndexConfig.MAX_ENCRYPTED_FOR) {
      throw new IllegalArgumentException(
          "encryptedFor has more than " + MetadataIndexConfig.MAX_ENCRYPTED_FOR + " roles");
    }
    m.encryptedFor().forEach(r -> checkField("encryptedFor", r));
    checkField("sha256", m.sha256());
    checkField("dhtKey", m.dhtKey());
  }

  private static void checkField(String name, String value) {
    if (value.length() > MetadataIndexConfig.MAX_FIELD_LENGTH) {
      throw new IllegalArgumentException(
          name + " longer than " + MetadataIndexConfig.MAX_FIELD_LENGTH + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(name + " contains a control character");
      }
    }
  }

  private static byte[] encode(ContentMetadata m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(m.address());
      out.writeUTF(m.creatorRole());
      out.writeUTF(m.contentType());
      out.writeLong(m.createdAt().getEpochSecond());
      out.writeInt(m.createdAt().getNano());
      out.writeLong(m.size());
      out.writeUTF(m.sha256());
      out.writeShort(m.encryptedFor().size());
      for (String r : m.encryptedFor()) {
        out.writeUTF(r);
      }
      out.writeInt(m.replicationFactor());
      out.writeLong(m.version());
      out.writeUTF(m.dhtKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static ContentMetadata decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new MetadataIndexException("unknown metadata entry format " + format);
      }
      UcxlAddress address = UcxlAddress.parse(in.readUTF());
      String creatorRole = in.readUTF();
      String contentType = in.readUTF();
      Instant createdAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
      long size = in.readLong();
      String sha256 = in.readUTF();
      int n = in.readUnsignedShort();
      List<String> encryptedFor = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        encryptedFor.add(in.readUTF());
      }
      int replicationFactor = in.readInt();
      long version = in.readLong();
      in.readUTF(); // the DHT key, stored for readers of the raw file; derived from the address
      return ContentMetadata.of(
          address,
          creatorRole,
          contentType,
          createdAt,
          size,
          sha256,
          encryptedFor,
          replicationFactor,
          version);
    } catch (IOException e) {
      throw new MetadataIndexException("corrupt metadata entry: " + e, e);
    }
  }

  private void sync(long ticket) {
    try {
      store.awaitDurable(ticket);
    } catch (StoreException | MVStoreException e) {
      throw new MetadataIndexException(
          "failed to sync metadata index " + config.file() + ": " + e, e);
    }
  }

  private MetadataIndexException failure(String operation, MVStoreException e) {
    return new MetadataIndexException(
        "failed to " + operation + " metadata index " + config.file() + ": " + e.getMessage(), e);
  }

  private void ensureOpen() {
    if (closed || !store.isOpen()) {
      throw new MetadataIndexException("metadata index " + config.file() + " is closed");
    }
  }
}
