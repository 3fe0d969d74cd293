package org.chorus.dht.replication;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.store.DataStore;
import org.h2.mvstore.MVMap;

/**
 * The durable replication state of every tracked key, in maps {@code replication.*} of the node's
 * {@link DataStore}: a map key → {@link KeyState} and an index ordered by {@link
 * KeyState#nextDue()}, so the scheduler finds the due keys in time proportional to how many it
 * takes, however many keys there are (100,000 and more).
 *
 * <p><b>Durability.</b> {@code put(state, true)} and {@link #remove} return after a commit and an
 * {@code fsync} of the data store (deferred to the end of a {@linkplain DataStore#durably unit of
 * work}: a store's value and its state become durable together); the scheduler's own bookkeeping
 * uses {@code put(state, false)}, which MVStore's background writer commits within about a second:
 * losing such an update in a crash only means a key is handled once more. Due times survive
 * restarts, so the schedule resumes where it was.
 *
 * <p><b>Counts.</b> Keys, under-replicated and critical keys are counted in memory (from a scan at
 * open, then updated on every change), so the gauges cost nothing.
 *
 * <p>Thread-safe: changes to both maps and the counters run under the store's lock; syncs outside.
 */
public final class ReplicationStateStore implements AutoCloseable {

  /** The file name of earlier versions in the data directory (moved into the data store). */
  public static final String FILE_NAME = "replication.mv.db";

  /** Named cap: page cache of a store on its own file, which bounds its heap use. */
  public static final int CACHE_MB = 8;

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "replication.";

  private static final char SEP = '\0';

  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, byte[]> states;
  private final MVMap<String, String> byDue;
  private final AtomicLong underReplicated = new AtomicLong();
  private final AtomicLong critical = new AtomicLong();

  private ReplicationStateStore(DataStore store, boolean ownsStore) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.states = store.map(PREFIX + "states");
    this.byDue = store.map(PREFIX + "states.byDue");
    for (Map.Entry<String, byte[]> e : states.entrySet()) {
      count(KeyState.decode(e.getKey(), e.getValue()), 1);
    }
  }

  /**
   * Opens (creating if absent) the store on its own data store file (tests); closing it closes the
   * file.
   *
   * @throws org.chorus.dht.store.StoreException if it cannot be opened
   */
  public static ReplicationStateStore open(Path file) {
    return new ReplicationStateStore(DataStore.open(file, CACHE_MB), true);
  }

  /** Opens the store on the node's data store, which it shares (and does not close). */
  public static ReplicationStateStore open(DataStore store) {
    return new ReplicationStateStore(store, false);
  }

  public Optional<KeyState> get(String key) {
    byte[] data = states.get(key);
    return data == null ? Optional.empty() : Optional.of(KeyState.decode(key, data));
  }

  /** Stores {@code state}; with {@code durable}, returns after it is synced to disk. */
  public void put(KeyState state, boolean durable) {
    putAll(List.of(state), durable);
  }

  /** Stores several states under one commit. */
  public void putAll(List<KeyState> batch, boolean durable) {
    long ticket;
    synchronized (this) {
      for (KeyState state : batch) {
        byte[] old = states.put(state.key(), state.encode());
        if (old != null) {
          KeyState was = KeyState.decode(state.key(), old);
          byDue.remove(dueKey(was.nextDue(), was.key()));
          count(was, -1);
        }
        byDue.put(dueKey(state.nextDue(), state.key()), "");
        count(state, 1);
      }
      ticket = store.register();
    }
    if (durable) {
      sync(ticket);
    }
  }

  /**
   * Replaces the state of a tracked key by {@code change} of its current state, atomically with
   * respect to every other change of this store (not synced: the scheduler's bookkeeping). Returns
   * the new state, or empty when the key is not tracked.
   */
  public synchronized Optional<KeyState> update(
      String key, java.util.function.UnaryOperator<KeyState> change) {
    Optional<KeyState> current = get(key);
    if (current.isEmpty()) {
      return current;
    }
    KeyState next = change.apply(current.get());
    put(next, false);
    return Optional.of(next);
  }

  /** Forgets a key (durably); false if it was not tracked. */
  public boolean remove(String key) {
    long ticket;
    synchronized (this) {
      byte[] old = states.remove(key);
      if (old == null) {
        return false;
      }
      KeyState was = KeyState.decode(key, old);
      byDue.remove(dueKey(was.nextDue(), key));
      count(was, -1);
      ticket = store.register();
    }
    sync(ticket);
    return true;
  }

  /** Up to {@code limit} keys due at or before {@code nowMillis}, earliest first. */
  public List<KeyState> due(long nowMillis, int limit) {
    List<KeyState> out = new ArrayList<>();
    Iterator<String> it = byDue.keyIterator(null);
    while (it.hasNext() && out.size() < limit) {
      String dk = it.next();
      if (dueOf(dk) > nowMillis) {
        break;
      }
      get(dk.substring(dk.indexOf(SEP) + 1)).ifPresent(out::add);
    }
    return out;
  }

  /** The earliest due time of any key, if any key is tracked. */
  public Optional<Long> earliestDue() {
    String first = byDue.firstKey();
    return first == null ? Optional.empty() : Optional.of(dueOf(first));
  }

  /** Up to {@code limit} tracked keys after {@code after} (null: from the start), in key order. */
  public List<KeyState> page(String after, int limit) {
    List<KeyState> out = new ArrayList<>();
    Iterator<String> it = states.keyIterator(after);
    while (it.hasNext() && out.size() < limit) {
      String k = it.next();
      if (after != null && k.equals(after)) {
        continue;
      }
      get(k).ifPresent(out::add);
    }
    return out;
  }

  public int size() {
    return states.size();
  }

  /** Keys whose last count was below target. */
  public long underReplicated() {
    return underReplicated.get();
  }

  /** Keys whose last count was critical (see {@link ReplicationHealth}). */
  public long critical() {
    return critical.get();
  }

  /** Closes the data store if it opened it (the scheduler stops first). */
  @Override
  public synchronized void close() {
    if (ownsStore) {
      store.close();
    }
  }

  private void count(KeyState s, int delta) {
    if (s.underReplicated()) {
      underReplicated.addAndGet(delta);
    }
    if (s.critical()) {
      critical.addAndGet(delta);
    }
  }

  private void sync(long ticket) {
    store.awaitDurable(ticket);
  }

  private static String dueKey(long due, String key) {
    return String.format("%019d", Math.max(0, due)) + SEP + key;
  }

  private static long dueOf(String dueKey) {
    return Long.parseLong(dueKey.substring(0, dueKey.indexOf(SEP)));
  }
}
