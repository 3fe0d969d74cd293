package org.chorus.dht.kad.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The Kademlia routing table: one k-bucket per common prefix length (CPL) with the local key,
 * bucket {@code i} holding peers whose key shares exactly {@code i} leading bits with ours (libp2p
 * specs {@code kad-dht}, "Kademlia routing table"; like go-libp2p-kbucket, but with all 256 buckets
 * addressable instead of splitting the last one). Each bucket keeps at most {@code k} peers in
 * least-recently-seen-first order and a bounded replacement cache.
 *
 * <p>Pure data: knows peer ids, their keys and their IP diversity groups, never connects. Time is
 * passed in as {@code nowMillis} (any monotonic millisecond clock). A candidate for a full bucket
 * does not evict anyone; {@link #add} returns the least-recently-seen entry to probe, and the
 * caller reports with {@link #onProbeResult}: a live entry stays, a dead one is evicted and the
 * freshest replacement promoted. A probe not reported within {@code rpcTimeout} is considered lost,
 * and the next candidate triggers a new one.
 *
 * <p>Thread-safe: every public method is {@code synchronized} on the table; the methods are short
 * (a bucket is at most k entries) and do no I/O, so callers never hold the lock for long.
 */
public final class RoutingTable {

  /** Buckets deeper than this are not refreshed: a random key there is improbably populated. */
  public static final int MAX_REFRESH_CPL = 15;

  private final KadKey localKey;
  private final int k;
  private final int replacementCacheSize;
  private final long probeTimeoutMillis;
  private final DiversityFilter diversity;
  private final Function<PeerId, KadKey> keyOf;
  private final Bucket[] buckets = new Bucket[KadKey.BITS];
  private int size;

  /** A table for {@code local}, keys derived with {@link KadKey#of(PeerId)}. */
  public RoutingTable(PeerId local, KadConfig config) {
    this(KadKey.of(local), config, KadKey::of);
  }

  /**
   * A table around {@code localKey}; {@code keyOf} maps a peer id to its key (callers that cache
   * keys pass their cache; it must agree with {@link KadKey#of(PeerId)}).
   */
  public RoutingTable(KadKey localKey, KadConfig config, Function<PeerId, KadKey> keyOf) {
    this.localKey = Objects.requireNonNull(localKey, "localKey");
    this.k = config.k();
    this.replacementCacheSize = config.replacementCacheSize();
    this.probeTimeoutMillis = config.rpcTimeout().toMillis();
    this.diversity = new DiversityFilter(config.diversity());
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
  }

  public KadKey localKey() {
    return localKey;
  }

  /** Adds or refreshes a peer seen with these addresses; see {@link AddResult}. */
  public synchronized AddResult add(PeerId peer, Collection<Multiaddr> addrs, long nowMillis) {
    return add(peer, keyOf.apply(peer), addrs, nowMillis);
  }

  /** As {@link #add(PeerId, Collection, long)} with the peer's key already known. */
  public synchronized AddResult add(
      PeerId peer, KadKey key, Collection<Multiaddr> addrs, long nowMillis) {
    int cpl = localKey.commonPrefixLength(key);
    if (cpl == KadKey.BITS) {
      return AddResult.SELF;
    }
    Bucket bucket = bucketAt(cpl);
    int at = bucket.indexOf(peer);
    if (at >= 0) {
      Entry e = bucket.entries.remove(at);
      e.lastSeen = nowMillis;
      bucket.entries.add(e);
      return AddResult.UPDATED;
    }
    int[] groups = diversity.groupsOf(addrs);
    if (bucket.entries.size() < k) {
      if (!diversity.allows(cpl, groups)) {
        bucket.removeReplacement(peer); // a waiting candidate is superseded by this sighting
        return AddResult.DIVERSITY;
      }
      insert(bucket, cpl, new Entry(peer, key, groups, nowMillis));
      bucket.removeReplacement(peer);
      return AddResult.ADDED;
    }
    if (replacementCacheSize == 0) {
      return AddResult.FULL;
    }
    bucket.removeReplacement(peer);
    bucket.replacements.add(new Entry(peer, key, groups, nowMillis));
    if (bucket.replacements.size() > replacementCacheSize) {
      bucket.replacements.remove(0);
    }
    if (bucket.probing == null || nowMillis - bucket.probeStarted >= probeTimeoutMillis) {
      bucket.probing = bucket.entries.get(0).peer;
      bucket.probeStarted = nowMillis;
      return new AddResult(AddResult.Outcome.PENDING, bucket.probing);
    }
    return AddResult.PENDING;
  }

  /**
   * Reports a probe of {@code peer} (normally one named by {@link AddResult#probeTarget()}): alive
   * makes it most recently seen; dead evicts it and promotes the freshest replacement that passes
   * the diversity filter.
   *
   * @return the promoted replacement, if any
   */
  public synchronized Optional<PeerId> onProbeResult(PeerId peer, boolean alive, long nowMillis) {
    int cpl = localKey.commonPrefixLength(keyOf.apply(peer));
    if (cpl == KadKey.BITS || buckets[cpl] == null) {
      return Optional.empty();
    }
    Bucket bucket = buckets[cpl];
    if (peer.equals(bucket.probing)) {
      bucket.probing = null;
    }
    if (alive) {
      markSeen(peer, nowMillis);
      return Optional.empty();
    }
    return removeAndPromote(bucket, cpl, peer);
  }

  /** Makes a present peer most recently seen; false when absent. */
  public synchronized boolean markSeen(PeerId peer, long nowMillis) {
    int cpl = localKey.commonPrefixLength(keyOf.apply(peer));
    if (cpl == KadKey.BITS || buckets[cpl] == null) {
      return false;
    }
    Bucket bucket = buckets[cpl];
    int at = bucket.indexOf(peer);
    if (at < 0) {
      return false;
    }
    Entry e = bucket.entries.remove(at);
    e.lastSeen = nowMillis;
    bucket.entries.add(e);
    return true;
  }

  /**
   * Removes a peer (from its bucket and replacement cache), promoting a replacement into the freed
   * slot; false when it was in neither.
   */
  public synchronized boolean remove(PeerId peer) {
    int cpl = localKey.commonPrefixLength(keyOf.apply(peer));
    if (cpl == KadKey.BITS || buckets[cpl] == null) {
      return false;
    }
    Bucket bucket = buckets[cpl];
    boolean wasReplacement = bucket.removeReplacement(peer);
    if (bucket.indexOf(peer) < 0) {
      return wasReplacement;
    }
    removeAndPromote(bucket, cpl, peer);
    return true;
  }

  public synchronized boolean contains(PeerId peer) {
    int cpl = localKey.commonPrefixLength(keyOf.apply(peer));
    return cpl != KadKey.BITS && buckets[cpl] != null && buckets[cpl].indexOf(peer) >= 0;
  }

  /** Peers in buckets. */
  public synchronized int size() {
    return size;
  }

  /** The peers of bucket {@code cpl}, least recently seen first. */
  public synchronized List<PeerId> bucket(int cpl) {
    Bucket b = buckets[cpl];
    List<PeerId> out = new ArrayList<>();
    if (b != null) {
      b.entries.forEach(e -> out.add(e.peer));
    }
    return out;
  }

  /** A routing entry as seen from outside: its bucket and last successful exchange. */
  public record Seen(PeerId peer, int cpl, long lastSeenMillis) {}

  /** Every entry of the table with its bucket and last-seen time, by increasing CPL. */
  public synchronized List<Seen> entries() {
    List<Seen> out = new ArrayList<>(size);
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] != null) {
        for (Entry e : buckets[i].entries) {
          out.add(new Seen(e.peer, i, e.lastSeen));
        }
      }
    }
    return out;
  }

  /** Every peer in the table. */
  public synchronized List<PeerId> peers() {
    List<PeerId> out = new ArrayList<>(size);
    for (Bucket b : buckets) {
      if (b != null) {
        b.entries.forEach(e -> out.add(e.peer));
      }
    }
    return out;
  }

  /**
   * The {@code n} peers closest to {@code target} by XOR distance, closest first. Visits buckets in
   * distance order (the target's own CPL bucket and every deeper one, then shallower ones
   * downwards), so only about {@code n} entries are sorted.
   */
  public synchronized List<PeerId> closest(KadKey target, int n) {
    if (n <= 0) {
      return List.of();
    }
    List<Entry> picked = new ArrayList<>(Math.min(n, size) + k);
    int c = Math.min(localKey.commonPrefixLength(target), KadKey.BITS - 1);
    Comparator<Entry> byDistance = (a, b) -> target.compareDistance(a.key, b.key);
    // Peers in bucket c share more than c leading bits with the target, peers in deeper buckets
    // exactly c, peers in a shallower bucket i < c exactly i: the groups are in distance order,
    // so only each group needs sorting, and the walk stops once n are picked.
    List<Entry> group = new ArrayList<>();
    if (buckets[c] != null) {
      addSorted(picked, group, buckets[c].entries, byDistance);
    }
    if (picked.size() < n) {
      group.clear();
      for (int i = c + 1; i < KadKey.BITS; i++) {
        if (buckets[i] != null) {
          group.addAll(buckets[i].entries);
        }
      }
      group.sort(byDistance);
      picked.addAll(group);
    }
    for (int i = c - 1; i >= 0 && picked.size() < n; i--) {
      if (buckets[i] != null) {
        addSorted(picked, group, buckets[i].entries, byDistance);
      }
    }
    List<PeerId> out = new ArrayList<>(Math.min(n, picked.size()));
    for (int i = 0; i < picked.size() && i < n; i++) {
      out.add(picked.get(i).peer);
    }
    return out;
  }

  private static void addSorted(
      List<Entry> picked, List<Entry> scratch, List<Entry> entries, Comparator<Entry> order) {
    scratch.clear();
    scratch.addAll(entries);
    scratch.sort(order);
    picked.addAll(scratch);
  }

  /**
   * Bucket indexes (CPLs) from 0 up to the deepest non-empty bucket (at most {@link
   * #MAX_REFRESH_CPL}) not refreshed within {@code intervalMillis}; the caller looks up a random
   * key with that CPL ({@link KadKey#withCommonPrefix}) and then calls {@link #markRefreshed}.
   */
  public synchronized List<Integer> bucketsDueForRefresh(long nowMillis, long intervalMillis) {
    int deepest = -1;
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] != null && !buckets[i].entries.isEmpty()) {
        deepest = i;
      }
    }
    List<Integer> due = new ArrayList<>();
    for (int i = 0; i <= Math.min(deepest, MAX_REFRESH_CPL); i++) {
      Bucket b = buckets[i];
      if (b == null || !b.refreshed || nowMillis - b.lastRefreshed >= intervalMillis) {
        due.add(i);
      }
    }
    return due;
  }

  /** Records that bucket {@code cpl} was just refreshed. */
  public synchronized void markRefreshed(int cpl, long nowMillis) {
    Bucket b = bucketAt(cpl);
    b.refreshed = true;
    b.lastRefreshed = nowMillis;
  }

  public synchronized RoutingTableStats stats() {
    TreeMap<Integer, Integer> perBucket = new TreeMap<>();
    int replacements = 0;
    for (int i = 0; i < buckets.length; i++) {
      Bucket b = buckets[i];
      if (b != null) {
        replacements += b.replacements.size();
        if (!b.entries.isEmpty()) {
          perBucket.put(i, b.entries.size());
        }
      }
    }
    return new RoutingTableStats(size, replacements, perBucket);
  }

  /** Peers of one IPv4 /16 group ({@code a << 8 | b}) in the table; for tests. */
  synchronized int diversityCount(int group) {
    return diversity.tableCount(group);
  }

  private Optional<PeerId> removeAndPromote(Bucket bucket, int cpl, PeerId peer) {
    int at = bucket.indexOf(peer);
    if (at < 0) {
      return Optional.empty();
    }
    Entry gone = bucket.entries.remove(at);
    size--;
    if (peer.equals(bucket.probing)) {
      bucket.probing = null;
    }
    diversity.remove(cpl, gone.groups);
    for (int i = bucket.replacements.size() - 1; i >= 0; i--) {
      Entry candidate = bucket.replacements.get(i);
      if (diversity.allows(cpl, candidate.groups)) {
        bucket.replacements.remove(i);
        insert(bucket, cpl, candidate);
        return Optional.of(candidate.peer);
      }
    }
    return Optional.empty();
  }

  private void insert(Bucket bucket, int cpl, Entry e) {
    bucket.entries.add(e);
    diversity.add(cpl, e.groups);
    size++;
  }

  private Bucket bucketAt(int cpl) {
    Bucket b = buckets[cpl];
    if (b == null) {
      b = new Bucket();
      buckets[cpl] = b;
    }
    return b;
  }

  /** One routing entry; mutable only under the table's lock. */
  private static final class Entry {
    final PeerId peer;
    final KadKey key;
    final int[] groups;
    long lastSeen;

    Entry(PeerId peer, KadKey key, int[] groups, long lastSeen) {
      this.peer = peer;
      this.key = key;
      this.groups = groups;
      this.lastSeen = lastSeen;
    }
  }

  /** Entries least recently seen first; replacements oldest first. */
  private static final class Bucket {
    final List<Entry> entries = new ArrayList<>(4);
    final List<Entry> replacements = new ArrayList<>(0);
    PeerId probing;
    long probeStarted;
    boolean refreshed;
    long lastRefreshed;

    int indexOf(PeerId peer) {
      for (int i = 0; i < entries.size(); i++) {
        PeerId p = entries.get(i).peer;
        if (p == peer || p.equals(peer)) {
          return i;
        }
      }
      return -1;
    }

    boolean removeReplacement(PeerId peer) {
      for (int i = 0; i < replacements.size(); i++) {
        if (replacements.get(i).peer.equals(peer)) {
          replacements.remove(i);
          return true;
        }
      }
      return false;
    }
  }
}
