package org.chorus.dht.backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.MvStores;
import org.chorus.dht.store.StoreException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStoreException;

/**
 * The durable queue of {@link HybridDht}: keys written while the network could not take them, to be
 * pushed when it returns. Stored in the map {@code pending.pending} of the node's {@link DataStore}
 * (H2 MVStore, see {@link MvStores}).
 *
 * <p>An entry is a (kind, key) pair with a sequence number; it holds no value, the push reads the
 * latest local value. {@link #add} and both removals return only after commit and {@code fsync}, so
 * an entry acknowledged as queued survives a crash. {@link #add} of a queued pair gives it a new
 * sequence number, and {@link #removeIfUnchanged} removes an entry only if nobody re-queued it
 * since it was read: a write that lands while its key is being pushed is pushed again.
 *
 * <p><b>Bounds.</b> Entries are only queued for keys the local backend has accepted, so the queue
 * is bounded by the local record and provider caps ({@link LocalDhtConfig#maxRecords()}); heap use
 * is bounded by the page cache ({@link #CACHE_SIZE_MB}) and the batch size asked for.
 *
 * <p>Thread-safe: MVMap operations are, and durability is shared through the {@link DataStore}.
 */
public final class PendingPushQueue implements AutoCloseable {

  /** The store file of earlier versions in the data directory (moved into the data store). */
  public static final String FILE_NAME = "hybrid-pending.mv.db";

  /** MVStore page cache of a queue on its own file. */
  static final int CACHE_SIZE_MB = 4;

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "pending.";

  private static final String MAP = PREFIX + "pending";

  /** What a queued entry pushes. */
  public enum Kind {
    /** The key's latest local value. */
    VALUE('v'),
    /** A provider announcement of this node for the key. */
    PROVIDE('p');

    private final char tag;

    Kind(char tag) {
      this.tag = tag;
    }

    static Kind of(char tag) {
      for (Kind k : values()) {
        if (k.tag == tag) {
          return k;
        }
      }
      throw new IllegalStateException("unknown pending entry tag '" + tag + "'");
    }
  }

  /** One queued push; {@code seq} identifies this version of the entry. */
  public record Entry(Kind kind, String key, long seq) {}

  private final Path file;
  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, Long> map;
  private final AtomicLong sequence;
  private volatile boolean closed;

  private PendingPushQueue(Path file, DataStore store, boolean ownsStore) {
    this.file = file;
    this.store = store;
    this.ownsStore = ownsStore;
    this.map = store.map(MAP);
    long max = 0;
    for (Long seq : map.values()) {
      max = Math.max(max, seq);
    }
    this.sequence = new AtomicLong(max);
  }

  /**
   * Opens (or creates) the queue on the node's data store, which it shares (and does not close).
   */
  public static PendingPushQueue open(DataStore store) {
    try {
      return new PendingPushQueue(store.file(), store, false);
    } catch (StoreException | MVStoreException e) {
      throw new DhtBackendException("failed to open pending-push queue: " + e, e);
    }
  }

  /**
   * Opens (or creates) the queue on its own data store file (tests); closing it closes the file.
   *
   * @throws DhtBackendException if the file cannot be opened (see {@link MvStores})
   */
  public static PendingPushQueue open(Path file) {
    DataStore store;
    try {
      store = DataStore.open(file, CACHE_SIZE_MB);
    } catch (StoreException e) {
      throw new DhtBackendException(e.getMessage(), e);
    }
    try {
      return new PendingPushQueue(file, store, true);
    } catch (RuntimeException e) {
      store.close();
      throw new DhtBackendException("failed to open pending-push queue " + file + ": " + e, e);
    }
  }

  /** Queues (or re-queues with a new sequence number) a push; durable when it returns. */
  public void add(Kind kind, String key) {
    ensureOpen();
    try {
      map.put(mapKey(kind, key), sequence.incrementAndGet());
    } catch (MVStoreException e) {
      throw failure("queue", e);
    }
    sync("queue");
  }

  /** The sequence number of the queued entry, or {@code null} when none is queued. */
  public Long sequenceOf(Kind kind, String key) {
    ensureOpen();
    return map.get(mapKey(kind, key));
  }

  /** Removes the entry if it still has {@code entry.seq()}; durable when it returns true. */
  public boolean removeIfUnchanged(Entry entry) {
    ensureOpen();
    boolean removed;
    try {
      removed = map.remove(mapKey(entry.kind(), entry.key()), entry.seq());
    } catch (MVStoreException e) {
      throw failure("remove", e);
    }
    if (removed) {
      sync("remove");
    }
    return removed;
  }

  /** Removes the entry whatever its sequence number; durable when it returns true. */
  public boolean remove(Kind kind, String key) {
    ensureOpen();
    boolean removed;
    try {
      removed = map.remove(mapKey(kind, key)) != null;
    } catch (MVStoreException e) {
      throw failure("remove", e);
    }
    if (removed) {
      sync("remove");
    }
    return removed;
  }

  /**
   * Up to {@code max} entries in map order, starting after the entry {@code after} (null: from the
   * start).
   */
  public List<Entry> batch(Entry after, int max) {
    ensureOpen();
    List<Entry> out = new ArrayList<>(Math.min(max, 1024));
    String from = after == null ? null : mapKey(after.kind(), after.key());
    try {
      Iterator<String> it = map.keyIterator(from);
      while (it.hasNext() && out.size() < max) {
        String k = it.next();
        if (k.equals(from)) {
          continue;
        }
        Long seq = map.get(k);
        if (seq != null) {
          out.add(new Entry(Kind.of(k.charAt(0)), k.substring(1), seq));
        }
      }
    } catch (MVStoreException e) {
      throw failure("read", e);
    }
    return out;
  }

  /** Queued entries. */
  public long size() {
    return closed ? 0 : map.sizeAsLong();
  }

  /** Stops accepting changes; closes the data store if it opened it. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!ownsStore) {
      return;
    }
    try {
      store.close();
    } catch (StoreException e) {
      throw new DhtBackendException("failed to close pending-push queue " + file + ": " + e, e);
    }
  }

  private static String mapKey(Kind kind, String key) {
    return kind.tag + key;
  }

  private void sync(String operation) {
    try {
      store.commit();
    } catch (StoreException | MVStoreException e) {
      throw new DhtBackendException(
          "failed to " + operation + " pending push: sync of " + file + " failed: " + e, e);
    }
  }

  private DhtBackendException failure(String operation, MVStoreException e) {
    return new DhtBackendException(
        "failed to " + operation + " in pending-push queue " + file + ": " + e.getMessage(), e);
  }

  private void ensureOpen() {
    if (closed || !store.isOpen()) {
      throw new DhtBackendException("pending-push queue " + file + " is closed");
    }
  }
}
