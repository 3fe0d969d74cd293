package org.chorus.dht.p2p.host;

import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Which peers the host talks to: an allow-list (fixed at creation; empty lets anyone in) and a
 * deny-list (changed at run time), checked on every dial that names a peer id and in every Noise
 * handshake, both directions, once the remote peer id is proven ({@link Refusal#DENIED}, {@link
 * Refusal#NOT_ALLOWED}). A denied peer stays denied even when allow-listed. At most {@link
 * #MAX_DENIED} denied peers (a deny-list is meant to be short; beyond that, use an allow-list).
 *
 * <p>Thread-safe: an immutable allow-list and a concurrent deny-list.
 */
public final class PeerAccess {
  /** Named cap on the deny-list. */
  public static final int MAX_DENIED = 10_000;

  private final Set<PeerId> allowed;
  private final Set<PeerId> denied = ConcurrentHashMap.newKeySet();

  public PeerAccess(Collection<PeerId> allowed, Collection<PeerId> denied) {
    this.allowed = Set.copyOf(allowed);
    denied.forEach(this::deny);
  }

  /** Null when {@code peer} may connect, else why not. */
  public Refusal refusal(PeerId peer) {
    if (denied.contains(peer)) {
      return Refusal.DENIED;
    }
    if (!allowed.isEmpty() && !allowed.contains(peer)) {
      return Refusal.NOT_ALLOWED;
    }
    return null;
  }

  /**
   * Denies {@code peer}; true when it was not denied yet.
   *
   * @throws IllegalStateException when {@link #MAX_DENIED} peers are denied already
   */
  public boolean deny(PeerId peer) {
    Objects.requireNonNull(peer, "peer");
    if (denied.size() >= MAX_DENIED && !denied.contains(peer)) {
      throw new IllegalStateException(
          "failed to deny " + peer + ": " + MAX_DENIED + " peers are denied already");
    }
    return denied.add(peer);
  }

  /** Lifts the denial of {@code peer}; true when it was denied. */
  public boolean lift(PeerId peer) {
    return denied.remove(peer);
  }

  public Set<PeerId> denied() {
    return Set.copyOf(denied);
  }

  /** The allow-list; empty: every peer not denied is allowed. */
  public Set<PeerId> allowed() {
    return allowed;
  }
}
