package org.chorus.dht.kad.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.ClosestPeersIter;
import org.chorus.dht.kad.query.ClosestPeersIter.PeerState;
import org.chorus.dht.kad.query.ClosestPeersIter.Termination;
import org.chorus.dht.kad.routing.AddResult;
import org.chorus.dht.kad.routing.RoutingTable;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A deterministic in-process Kademlia network: N nodes, each with a real {@link RoutingTable},
 * looking up with the real {@link ClosestPeersIter}; the network is a discrete-event loop over a
 * virtual millisecond clock (no threads, no sleeps). A request to a live node is answered after a
 * random round trip of {@link #MIN_RTT_MS}..{@link #MAX_RTT_MS}; a failed node never answers, so
 * the requester sees the iterator's RPC timeout. Everything random comes from one seeded {@link
 * Random}, so a run is reproducible from (nodes, seed).
 *
 * <p>Not thread-safe: one thread drives it.
 */
final class SimNetwork {

  static final int MIN_RTT_MS = 20;
  static final int MAX_RTT_MS = 200;

  /** Distinct public /16 groups the node addresses are drawn from. */
  static final int ADDRESS_GROUPS = 40_000;

  final KadConfig config;
  final Random rnd;
  final PeerId[] ids;
  final KadKey[] keys;
  final List<Multiaddr>[] addrs;
  final RoutingTable[] tables;
  final boolean[] failed;
  private final Map<PeerId, Integer> index;
  private final Function<PeerId, KadKey> keyOf;
  long now;
  long rpcs;

  @SuppressWarnings("unchecked")
  SimNetwork(int n, KadConfig config, long seed) {
    this.config = config;
    this.rnd = new Random(seed);
    this.ids = new PeerId[n];
    this.keys = new KadKey[n];
    this.addrs = new List[n];
    this.tables = new RoutingTable[n];
    this.failed = new boolean[n];
    this.index = new IdentityHashMap<>(n * 2); // every PeerId in the run is one of ids[]
    for (int i = 0; i < n; i++) {
      ids[i] = KadTestPeers.randomPeer(rnd);
      keys[i] = KadKey.of(ids[i]);
      addrs[i] = KadTestPeers.publicIp4(rnd, ADDRESS_GROUPS);
      index.put(ids[i], i);
    }
    this.keyOf = p -> keys[index.get(p)];
    for (int i = 0; i < n; i++) {
      tables[i] = new RoutingTable(keys[i], config, keyOf);
    }
  }

  int size() {
    return ids.length;
  }

  /**
   * Joins every node in order: node i learns one random earlier node and looks up its own key
   * (k-closest termination, so its neighbourhood learns it), then every node refreshes its
   * under-filled buckets with a lookup of a random key of that bucket.
   */
  void bootstrap() {
    for (int i = 1; i < size(); i++) {
      int via = rnd.nextInt(i);
      learn(i, via);
      lookup(i, keys[i], Termination.K_CLOSEST, null, true);
    }
    for (int i = 0; i < size(); i++) {
      refresh(i);
    }
  }

  /** Looks up a random key in each bucket of node {@code i} that holds fewer than k peers. */
  void refresh(int i) {
    RoutingTable t = tables[i];
    for (int cpl : t.bucketsDueForRefresh(now, config.refreshInterval().toMillis())) {
      if (t.bucket(cpl).size() < config.k()) {
        KadKey target = keys[i].withCommonPrefix(cpl, randomKey());
        lookup(i, target, Termination.BETA, null, true);
      }
      t.markRefreshed(cpl, now);
    }
  }

  KadKey randomKey() {
    byte[] b = new byte[KadKey.BYTES];
    rnd.nextBytes(b);
    return KadKey.fromBytes(b);
  }

  /** Marks a random {@code fraction} of the nodes failed (and revives the rest). */
  void failRandom(double fraction) {
    Arrays.fill(failed, false);
    int count = (int) Math.round(fraction * size());
    int[] order = shuffledIndexes();
    for (int i = 0; i < count; i++) {
      failed[order[i]] = true;
    }
  }

  int[] shuffledIndexes() {
    int[] order = new int[size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** The {@code k} nodes closest to {@code target} by brute force (failed or not). */
  int[] globallyClosest(KadKey target, int k) {
    Integer[] all = new Integer[size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    // partial selection would do; a full sort of 10k is cheap enough per GET
    Arrays.sort(all, (a, b) -> target.compareDistance(keys[a], keys[b]));
    int[] out = new int[Math.min(k, all.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = all[i];
    }
    return out;
  }

  /** How one lookup went. */
  record Outcome(boolean found, int hops, int requests, long elapsedMs, ClosestPeersIter iter) {}

  /**
   * Runs one lookup from node {@code origin} on the event loop.
   *
   * @param holds when non-null, a GET: the lookup stops at the first live node for which it is
   *     true, and {@link Outcome#found()} says whether one was reached
   * @param updateTables whether the requester and responders learn each other (bootstrap, refresh)
   *     and the requester drops peers that did not answer; measurement lookups pass false so that
   *     every scenario runs on the same tables
   */
  Outcome lookup(
      int origin,
      KadKey target,
      Termination termination,
      IntPredicate holds,
      boolean updateTables) {
    long start = now;
    if (holds != null && holds.test(origin)) {
      return new Outcome(true, 0, 0, 0, null);
    }
    List<PeerId> seeds = tables[origin].closest(target, config.k());
    ClosestPeersIter iter = ClosestPeersIter.start(target, seeds, config, termination, now, keyOf);
    PriorityQueue<long[]> answers = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    List<Integer> asked = new ArrayList<>();
    int foundAt = -1;
    while (true) {
      for (PeerId p : iter.next(now)) {
        int peer = index.get(p);
        asked.add(peer);
        rpcs++;
        if (!failed[peer]) {
          answers.add(new long[] {now + MIN_RTT_MS + rnd.nextInt(MAX_RTT_MS - MIN_RTT_MS), peer});
        }
      }
      if (iter.isFinished()) {
        break;
      }
      long wake = iter.nextTimeoutMillis();
      long[] next = answers.peek();
      if (next == null || next[0] > wake) {
        now = Math.max(now, wake);
        continue;
      }
      answers.poll();
      now = Math.max(now, next[0]);
      int peer = (int) next[1];
      if (updateTables) {
        learn(peer, origin);
        learn(origin, peer);
      }
      if (holds != null && holds.test(peer)) {
        foundAt = peer;
        iter.onSuccess(ids[peer], List.of());
        iter.stop();
        break;
      }
      List<PeerId> closer = new ArrayList<>(tables[peer].closest(target, config.k() + 1));
      closer.remove(ids[origin]);
      iter.onSuccess(ids[peer], closer);
    }
    if (updateTables) {
      for (int peer : asked) {
        PeerState s = iter.peerState(ids[peer]);
        if (s == PeerState.UNRESPONSIVE || s == PeerState.FAILED || s == PeerState.WAITING) {
          tables[origin].remove(ids[peer]);
        }
      }
    }
    int hops = foundAt >= 0 ? iter.hops(ids[foundAt]).orElse(-1) : -1;
    return new Outcome(foundAt >= 0, hops, iter.requests(), now - start, iter);
  }

  /** Node {@code at} learns node {@code peer}; a probe it asks for is answered at once. */
  void learn(int at, int peer) {
    AddResult r = tables[at].add(ids[peer], keys[peer], addrs[peer], now);
    r.probeTarget()
        .ifPresent(target -> tables[at].onProbeResult(target, !failed[index.get(target)], now));
  }

  /** Mean routing-table size. */
  double meanTableSize() {
    long sum = 0;
    for (RoutingTable t : tables) {
      sum += t.size();
    }
    return (double) sum / tables.length;
  }
}
