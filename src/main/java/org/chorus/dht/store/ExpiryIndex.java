package org.chorus.dht.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.h2.mvstore.MVMap;

/**
 * The time-ordered expiry index of a map of {@link DataStore}: one entry per live record, keyed by
 * the record's time stamp (epoch millis) and its key, so finding what expired costs time in
 * proportion to what expired, not to what is held. Every expiring store of the node (the values and
 * providers of the local backend, the kad records) keeps its records' stamps here.
 *
 * <p>An index key is 16 hex digits of the stamp, NUL, the record key; keys must not contain NUL.
 *
 * <p>Not synchronized beyond the map's own thread-safety: the owning store changes its records and
 * this index under its lock, so the two agree, and commits them together.
 */
public final class ExpiryIndex {

  private static final char SEP = '\0';

  private final MVMap<String, String> byTime;

  /** The index in the map {@code name} of {@code store}. */
  public ExpiryIndex(DataStore store, String name) {
    this.byTime = store.map(name);
  }

  /** Records that {@code key} was stamped at {@code millis}. */
  public void add(long millis, String key) {
    byTime.put(indexKey(millis, key), "");
  }

  /** Forgets the stamp {@code millis} of {@code key} (a replaced or removed record). */
  public void remove(long millis, String key) {
    byTime.remove(indexKey(millis, key));
  }

  /** A record whose stamp the index holds: its key and stamp. */
  public record Stamped(String key, long millis) {}

  /**
   * Removes from the index and returns up to {@code limit} records stamped at or before {@code
   * cutoff}, oldest first. The caller removes each record whose current stamp is still that old
   * (one re-stamped since keeps its newer index entry).
   */
  public List<Stamped> takeDue(long cutoff, int limit) {
    String end = hex16(cutoff) + (char) (SEP + 1);
    List<Stamped> due = new ArrayList<>();
    Iterator<String> it = byTime.keyIterator(null);
    while (it.hasNext() && due.size() < limit) {
      String k = it.next();
      if (k.compareTo(end) >= 0) {
        break;
      }
      due.add(new Stamped(k.substring(17), Long.parseLong(k.substring(0, 16), 16)));
    }
    for (Stamped s : due) {
      byTime.remove(indexKey(s.millis(), s.key()));
    }
    return due;
  }

  /** Entries held (one per live record). */
  public long size() {
    return byTime.sizeAsLong();
  }

  /** Whether the index is empty while its records are not: a store written before it existed. */
  public boolean isEmpty() {
    return byTime.isEmpty();
  }

  private static String indexKey(long millis, String key) {
    return hex16(millis) + SEP + key;
  }

  private static String hex16(long millis) {
    String hex = Long.toHexString(Math.max(0, millis));
    return "0".repeat(16 - hex.length()) + hex;
  }
}
