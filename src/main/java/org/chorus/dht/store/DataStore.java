package org.chorus.dht.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The node's one durable store: one MVStore file ({@code <dataDir>/chorus.mv.db}) holding the named
 * maps of every persistent store of the node (records, providers, metadata index, replication
 * state, pending pushes), one {@link GroupCommit} that makes them durable together, and the files
 * {@linkplain #join joined} to it (the audit log), forced at the same durability point.
 *
 * <p><b>Durability.</b> A store applies its change to its maps, then calls {@link #commit()} (or
 * {@link #register()} under its own lock and {@link #awaitDurable(long)} outside it), which returns
 * once an MVStore commit, an {@code fsync} of the file and a force of every joined file have
 * covered the change. Concurrent writers share one such flush.
 *
 * <p><b>Units of work.</b> {@link #durably(Supplier)} runs a piece of work (an HTTP store: the
 * value, its index entry, its replication state, its audit line) during which the calling thread's
 * commits are deferred; the unit returns only after one flush covering all of them. So one store
 * costs one group commit, not one per map touched, and no lock the work takes is held across an
 * {@code fsync}. Units nest (the outermost one commits); a unit that throws still makes durable
 * what it applied (the maps hold it already), then rethrows.
 *
 * <p><b>Failures.</b> Every failure to open, write or sync is a {@link StoreException}. A file that
 * cannot be opened is never repaired or deleted (see {@link MvStores}).
 *
 * <p>Thread-safe. The maps are MVStore maps (thread-safe); the stores built on them keep the locks
 * their own invariants need.
 */
public final class DataStore implements AutoCloseable {

  /** The file name in the data directory. */
  public static final String FILE_NAME = "chorus.mv.db";

  /**
   * Named cap: the page cache of the file, which bounds its heap use (what the six files it
   * replaces had together, less their duplicated overhead).
   */
  public static final int DEFAULT_CACHE_MB = 48;

  /**
   * 4 KiB pages: a commit rewrites each changed leaf and its path to the root in every map it
   * touched, so small pages cut the bytes written per single-entry commit (measured: by a third for
   * the metadata index) at no read cost; values larger than a page get a page of their own.
   */
  static final int PAGE_SPLIT_BYTES = 4096;

  /** A file forced at every durability point of the store (the audit log). */
  @FunctionalInterface
  public interface Joined {
    void force() throws IOException;
  }

  private final Path file;
  private final MVStore store;
  private final GroupCommit groupCommit;
  private final List<Joined> joined = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Unit> unit = new ThreadLocal<>();

  // the store version the last flush synced (flushes run one at a time: GroupCommit)
  private volatile long syncedVersion = -1;
  private final java.util.concurrent.atomic.AtomicLong flushNanos =
      new java.util.concurrent.atomic.AtomicLong();

  /** The thread's open unit of work: its depth and the latest ticket it deferred. */
  private static final class Unit {
    int depth;
    long ticket;
  }

  private DataStore(Path file, MVStore store) {
    this.file = file;
    this.store = store;
    this.groupCommit = new GroupCommit(this::flush);
  }

  /**
   * Opens (creating if absent) a store file.
   *
   * @throws StoreException if it cannot be opened (see {@link MvStores})
   */
  public static DataStore open(Path file, int cacheSizeMb) {
    return new DataStore(file, MvStores.open(file, cacheSizeMb, false, PAGE_SPLIT_BYTES));
  }

  /** {@link #open(Path, int)} with {@link #DEFAULT_CACHE_MB}. */
  public static DataStore open(Path file) {
    return open(file, DEFAULT_CACHE_MB);
  }

  /**
   * Opens {@code <dataDir>/chorus.mv.db}, first moving into it the separate store files an earlier
   * version wrote there (see {@link LegacyStores}).
   *
   * @throws StoreException if a file cannot be opened or the move fails (nothing is lost then: an
   *     old file is renamed only after its content was committed here)
   */
  public static DataStore openInDataDir(Path dataDir) {
    DataStore data = open(dataDir.resolve(FILE_NAME));
    try {
      LegacyStores.migrate(dataDir, data);
    } catch (RuntimeException e) {
      data.store.closeImmediately();
      throw e;
    }
    return data;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * Opens (creating if absent) the map {@code name}. Each store names its maps under its own prefix
   * ({@code dht.}, {@code index.}, {@code replication.}, {@code kad.records.}, {@code
   * kad.providers.}, {@code pending.}).
   */
  public <K, V> MVMap<K, V> map(String name) {
    try {
      return store.openMap(name);
    } catch (MVStoreException e) {
      throw new StoreException("failed to open map " + name + " in " + file + ": " + e, e);
    }
  }

  /** Whether a map exists. */
  public boolean hasMap(String name) {
    return store.hasMap(name);
  }

  /** Adds a file that every flush forces after the MVStore sync. */
  public void join(Joined file) {
    joined.add(file);
  }

  /** Issues a ticket covering every change the calling thread has applied so far. */
  public long register() {
    return groupCommit.register();
  }

  /**
   * Returns once a flush covering {@code ticket} has completed; inside a {@linkplain #durably unit
   * of work}, at once (the unit's end waits instead).
   *
   * @throws StoreException if the flush failed
   */
  public void awaitDurable(long ticket) {
    Unit u = unit.get();
    if (u != null) {
      u.ticket = Math.max(u.ticket, ticket);
      return;
    }
    awaitNow(ticket);
  }

  /** Whether the calling thread is inside a {@linkplain #durably unit of work} of this store. */
  public boolean inUnit() {
    return unit.get() != null;
  }

  /** {@link #register()} then {@link #awaitDurable(long)}. */
  public void commit() {
    awaitDurable(register());
  }

  /**
   * Runs {@code work} as one unit: the commits it makes on this thread are deferred to a single
   * flush at its end, which completes before this returns.
   *
   * @throws StoreException if that flush fails (what {@code work} threw comes first)
   */
  public <T> T durably(Supplier<T> work) {
    Unit u = unit.get();
    if (u == null) {
      u = new Unit();
      unit.set(u);
    }
    u.depth++;
    T result;
    try {
      result = work.get();
    } catch (RuntimeException | Error e) {
      end(u, e);
      throw e;
    }
    end(u, null);
    return result;
  }

  /** {@link #durably(Supplier)} for work without a result. */
  public void durably(Runnable work) {
    durably(
        () -> {
          work.run();
          return null;
        });
  }

  private void end(Unit u, Throwable failure) {
    if (--u.depth > 0) {
      return;
    }
    unit.remove();
    if (u.ticket == 0) {
      return;
    }
    try {
      awaitNow(u.ticket);
    } catch (StoreException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  private void awaitNow(long ticket) {
    try {
      groupCommit.awaitDurable(ticket);
    } catch (IOException e) {
      throw new StoreException("failed to make " + file + " durable: " + e.getMessage(), e);
    }
  }

  private void flush() throws IOException {
    long started = System.nanoTime();
    try {
      // a flush for the joined files alone (an audited read) leaves a synced store untouched
      long version = store.getCurrentVersion();
      if (store.hasUnsavedChanges() || version != syncedVersion) {
        try {
          store.commit();
          version = store.getCurrentVersion();
          store.sync();
        } catch (MVStoreException e) {
          throw new IOException("failed to commit store: " + e.getMessage(), e);
        }
        syncedVersion = version;
      }
      for (Joined j : joined) {
        j.force();
      }
    } finally {
      flushNanos.addAndGet(System.nanoTime() - started);
    }
  }

  /** Time spent in flushes (commit, sync, forces of the joined files), in nanoseconds. */
  public long flushNanos() {
    return flushNanos.get();
  }

  /** How many flushes (fsyncs of the file) have completed. */
  public long flushes() {
    return groupCommit.flushes();
  }

  /** How many commits have been awaited; {@code commits / flushes} is the group size. */
  public long commits() {
    return groupCommit.commits();
  }

  /** True until {@link #close()} (or until MVStore closed the file after a failure). */
  public boolean isOpen() {
    return !store.isClosed();
  }

  /**
   * Commits and closes the file. Idempotent. The stores on it must be closed first (they stop
   * accepting writes; closing them never closes this).
   */
  @Override
  public synchronized void close() {
    if (store.isClosed()) {
      return;
    }
    try {
      MvStores.close(store);
    } catch (MVStoreException e) {
      throw new StoreException("failed to close " + file + ": " + e, e);
    }
  }
}
