package org.chorus.dht.kad.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The iterative closest-peers lookup as a pure state machine (libp2p specs {@code kad-dht}, "Peer
 * routing"; behaviour after rust-libp2p {@code query/peers/closest.rs} and go-libp2p-kad-dht's
 * query): seeded with the closest peers we know, it names the peers to ask ({@link #next}), learns
 * closer peers from answers ({@link #onSuccess}) and forgets failed ones ({@link #onFailure}). It
 * does no I/O and reads no clock: every call takes {@code nowMillis}.
 *
 * <p>At most {@code alpha} requests are in flight, and only to peers ranked among the {@code
 * numResults} closest live candidates. A request not answered within {@code rpcTimeout} makes the
 * peer unresponsive (its slot is freed; a late answer still counts). The lookup finishes when the
 * {@code stopAfter} closest live peers have all answered — {@code numResults} (k) for {@link
 * Termination#K_CLOSEST}, {@code beta} for {@link Termination#BETA}, which means no closer peer is
 * known or pending — when no candidate is left, at the query deadline, or on {@link #stop()}.
 *
 * <p>Each peer carries its hop count: seeds are 1 hop away, a peer first learned from a peer at
 * {@code h} hops is at {@code h + 1} (the smallest such h while it is not yet contacted).
 *
 * <p>Bounded: at most {@code numResults} closer peers are taken from one answer and at most {@link
 * #MAX_TRACKED_FACTOR} {@code * numResults} peers are tracked (the farthest uncontacted ones are
 * dropped first).
 *
 * <p>Not thread-safe: one query is driven by one thread or event loop (the runner's).
 */
public final class ClosestPeersIter {

  /** Tracked peers are capped at this many times {@code numResults}. */
  public static final int MAX_TRACKED_FACTOR = 8;

  /** When a lookup is done. */
  public enum Termination {
    /** The k closest live peers have all answered. */
    K_CLOSEST,
    /** The beta closest live peers have all answered (go-libp2p-kad-dht's resiliency). */
    BETA
  }

  /** The iterator's overall state. */
  public enum State {
    RUNNING,
    /** The closest live peers answered (the termination condition holds). */
    SUCCEEDED,
    /** No candidate left before the condition held. */
    EXHAUSTED,
    /** The query deadline passed. */
    TIMED_OUT,
    /** {@link #stop()} was called, e.g. because a value was found. */
    STOPPED
  }

  /** State of one peer. */
  public enum PeerState {
    NOT_CONTACTED,
    WAITING,
    /** Timed out; an answer may still arrive. */
    UNRESPONSIVE,
    FAILED,
    SUCCEEDED
  }

  private final KadKey target;
  private final Function<PeerId, KadKey> keyOf;
  private final int numResults;
  private final int alpha;
  private final int stopAfter;
  private final long rpcTimeoutMillis;
  private final long deadlineMillis;
  private final int maxTracked;
  private final TreeMap<KadKey, Peer> byDistance;
  private final Map<PeerId, Peer> byId = new HashMap<>();
  private State state = State.RUNNING;
  private int inFlight;
  private int requests;
  private int successes;
  private int failures;
  private int timeouts;

  /**
   * A lookup of {@code target} from {@code seeds} (normally {@code routingTable.closest(target,
   * k)}), with k, alpha, beta, the RPC and query timeouts of {@code config}; the deadline is {@code
   * nowMillis + queryTimeout}.
   */
  public static ClosestPeersIter start(
      KadKey target,
      Collection<PeerId> seeds,
      KadConfig config,
      Termination termination,
      long nowMillis,
      Function<PeerId, KadKey> keyOf) {
    return new ClosestPeersIter(
        target,
        seeds,
        config.k(),
        config.alpha(),
        termination == Termination.BETA ? config.beta() : config.k(),
        config.rpcTimeout().toMillis(),
        nowMillis + config.queryTimeout().toMillis(),
        keyOf);
  }

  /**
   * @param numResults how many closest peers the lookup is after (k)
   * @param alpha requests in flight at most
   * @param stopAfter how many of the closest live peers must have answered to finish (1..k)
   * @param rpcTimeoutMillis per-request timeout
   * @param deadlineMillis absolute time the whole query gives up
   */
  public ClosestPeersIter(
      KadKey target,
      Collection<PeerId> seeds,
      int numResults,
      int alpha,
      int stopAfter,
      long rpcTimeoutMillis,
      long deadlineMillis,
      Function<PeerId, KadKey> keyOf) {
    if (numResults < 1 || alpha < 1 || stopAfter < 1 || stopAfter > numResults) {
      throw new IllegalArgumentException(
          "invalid lookup parameters: numResults="
              + numResults
              + " alpha="
              + alpha
              + " stopAfter="
              + stopAfter);
    }
    this.target = Objects.requireNonNull(target, "target");
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.numResults = numResults;
    this.alpha = alpha;
    this.stopAfter = stopAfter;
    this.rpcTimeoutMillis = rpcTimeoutMillis;
    this.deadlineMillis = deadlineMillis;
    this.maxTracked = numResults * MAX_TRACKED_FACTOR;
    this.byDistance = new TreeMap<>(target::compareDistance);
    for (PeerId seed : seeds) {
      learn(seed, 1);
    }
  }

  public KadKey target() {
    return target;
  }

  public State state() {
    return state;
  }

  public boolean isFinished() {
    return state != State.RUNNING;
  }

  /**
   * Advances the lookup at {@code nowMillis}: expires timed-out requests, checks termination and
   * returns the peers to send a request to now (each becomes {@link PeerState#WAITING}); empty when
   * at capacity, waiting, or finished.
   */
  public List<PeerId> next(long nowMillis) {
    if (state != State.RUNNING) {
      return List.of();
    }
    if (nowMillis >= deadlineMillis) {
      state = State.TIMED_OUT;
      return List.of();
    }
    List<PeerId> contact = new ArrayList<>();
    int live = 0;
    int answeredPrefix = 0;
    boolean prefixComplete = true;
    for (Peer p : byDistance.values()) {
      if (p.state == PeerState.WAITING && nowMillis >= p.deadline) {
        p.state = PeerState.UNRESPONSIVE;
        inFlight--;
        timeouts++;
      }
      if (p.state == PeerState.FAILED
          || p.state == PeerState.UNRESPONSIVE
          || live++ >= numResults) {
        continue; // beyond the k closest live peers only timeouts are processed
      }
      switch (p.state) {
        case SUCCEEDED -> {
          if (prefixComplete && ++answeredPrefix >= stopAfter) {
            state = State.SUCCEEDED;
            return unwait(contact);
          }
        }
        case WAITING -> prefixComplete = false;
        case NOT_CONTACTED -> {
          prefixComplete = false;
          if (inFlight < alpha) {
            p.state = PeerState.WAITING;
            p.deadline = nowMillis + rpcTimeoutMillis;
            inFlight++;
            requests++;
            contact.add(p.id);
          }
        }
        default -> throw new IllegalStateException("unexpected peer state " + p.state);
      }
    }
    if (contact.isEmpty() && inFlight == 0) {
      // Nothing pending and nothing to ask: either all live candidates answered (fewer than
      // stopAfter exist) or none is left.
      state = answeredPrefix > 0 && prefixComplete ? State.SUCCEEDED : State.EXHAUSTED;
    }
    return contact;
  }

  private List<PeerId> unwait(List<PeerId> contacted) {
    // Finished on the same walk that selected some peers: take the selection back.
    for (PeerId id : contacted) {
      Peer p = byId.get(id);
      p.state = PeerState.NOT_CONTACTED;
      inFlight--;
      requests--;
    }
    return List.of();
  }

  /**
   * Records an answer of {@code peer} carrying {@code closerPeers} (the first {@code numResults}
   * are used). Ignored for peers never asked or after the lookup finished.
   */
  public void onSuccess(PeerId peer, Collection<PeerId> closerPeers) {
    Peer p = byId.get(peer);
    if (state != State.RUNNING || p == null) {
      return;
    }
    if (p.state == PeerState.WAITING) {
      inFlight--;
    } else if (p.state != PeerState.UNRESPONSIVE) {
      return;
    }
    p.state = PeerState.SUCCEEDED;
    successes++;
    int taken = 0;
    for (PeerId closer : closerPeers) {
      if (taken++ >= numResults) {
        break;
      }
      learn(closer, p.hops + 1);
    }
  }

  /** Records that the request to {@code peer} failed; ignored unless it was waiting. */
  public void onFailure(PeerId peer) {
    Peer p = byId.get(peer);
    if (state != State.RUNNING || p == null) {
      return;
    }
    if (p.state == PeerState.WAITING) {
      inFlight--;
    } else if (p.state != PeerState.UNRESPONSIVE) {
      return;
    }
    p.state = PeerState.FAILED;
    failures++;
  }

  /** Ends the lookup now (a value was found, the caller cancelled). */
  public void stop() {
    if (state == State.RUNNING) {
      state = State.STOPPED;
    }
  }

  /**
   * The earliest time at which {@link #next} may act without any answer arriving: the earliest
   * request deadline or the query deadline.
   */
  public long nextTimeoutMillis() {
    long t = deadlineMillis;
    for (Peer p : byId.values()) {
      if (p.state == PeerState.WAITING && p.deadline < t) {
        t = p.deadline;
      }
    }
    return t;
  }

  /** Up to {@code n} peers that answered, closest to the target first. */
  public List<PeerId> closestSucceeded(int n) {
    List<PeerId> out = new ArrayList<>(n);
    for (Peer p : byDistance.values()) {
      if (out.size() >= n) {
        break;
      }
      if (p.state == PeerState.SUCCEEDED) {
        out.add(p.id);
      }
    }
    return out;
  }

  /** Hops from us to {@code peer} along the lookup, if it is known. */
  public OptionalInt hops(PeerId peer) {
    Peer p = byId.get(peer);
    return p == null ? OptionalInt.empty() : OptionalInt.of(p.hops);
  }

  /** The state of {@code peer}, or null when unknown. */
  public PeerState peerState(PeerId peer) {
    Peer p = byId.get(peer);
    return p == null ? null : p.state;
  }

  public int inFlight() {
    return inFlight;
  }

  /** Requests sent so far. */
  public int requests() {
    return requests;
  }

  public int successes() {
    return successes;
  }

  public int failures() {
    return failures;
  }

  public int timeouts() {
    return timeouts;
  }

  /** Peers currently tracked (bounded by {@link #MAX_TRACKED_FACTOR} {@code * numResults}). */
  public int tracked() {
    return byId.size();
  }

  private void learn(PeerId id, int hops) {
    Peer known = byId.get(id);
    if (known != null) {
      if (known.state == PeerState.NOT_CONTACTED && hops < known.hops) {
        known.hops = hops;
      }
      return;
    }
    KadKey key = keyOf.apply(id);
    if (byId.size() >= maxTracked && !dropFarthestUncontactedBeyond(key)) {
      return;
    }
    Peer p = new Peer(id, key, hops);
    byDistance.put(key, p);
    byId.put(id, p);
  }

  /** Makes room for {@code key} by dropping the farthest uncontacted peer farther than it. */
  private boolean dropFarthestUncontactedBeyond(KadKey key) {
    Iterator<Peer> it = byDistance.descendingMap().values().iterator();
    while (it.hasNext()) {
      Peer p = it.next();
      if (target.compareDistance(p.key, key) <= 0) {
        return false;
      }
      if (p.state == PeerState.NOT_CONTACTED) {
        it.remove();
        byId.remove(p.id);
        return true;
      }
    }
    return false;
  }

  private static final class Peer {
    final PeerId id;
    final KadKey key;
    PeerState state = PeerState.NOT_CONTACTED;
    long deadline;
    int hops;

    Peer(PeerId id, KadKey key, int hops) {
      this.id = id;
      this.key = key;
      this.hops = hops;
    }
  }
}
