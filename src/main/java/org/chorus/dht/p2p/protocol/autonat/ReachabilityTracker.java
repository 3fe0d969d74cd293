package org.chorus.dht.p2p.protocol.autonat;

/**
 * Decides {@link Reachability} from AutoNAT answers. Pure state, no I/O, no clock.
 *
 * <p>The rule: an {@code OK} answer counts for public, {@code E_DIAL_ERROR} for private; every
 * other outcome (refused, bad request, internal error, timeout, stream failure) says nothing about
 * us and is ignored. The status becomes {@link Reachability#PUBLIC} (or {@link
 * Reachability#PRIVATE}) once the last {@code required} counting answers all said so, where {@code
 * required = min(confirmations, AutoNAT peers connected)} and at least 1: three agreeing answers in
 * a larger network, fewer in a small cluster (one in a cluster of two). Until then it stays as it
 * was, so one stray answer never flips a settled status. {@link #confirmed()} tells the scheduler
 * whether to probe at the retry or the refresh pace.
 *
 * <p>Not thread-safe: callers serialise (the host does, on one event loop).
 */
public final class ReachabilityTracker {
  /** What one answer said about us. */
  public enum Observation {
    DIALLED,
    NOT_DIALLED,
    NO_INFORMATION
  }

  private final int confirmations;
  private Reachability status = Reachability.UNKNOWN;
  private Observation last = Observation.NO_INFORMATION;
  private int streak;

  public ReachabilityTracker(int confirmations) {
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be >= 1: " + confirmations);
    }
    this.confirmations = confirmations;
  }

  /** The observation a response status stands for. */
  public static Observation observationOf(AutoNatMessage.Status status) {
    return switch (status) {
      case OK -> Observation.DIALLED;
      case E_DIAL_ERROR -> Observation.NOT_DIALLED;
      default -> Observation.NO_INFORMATION;
    };
  }

  /**
   * Records one answer; {@code autoNatPeers} is how many AutoNAT-capable peers are connected now.
   * Returns the (possibly new) status.
   */
  public Reachability record(Observation o, int autoNatPeers) {
    if (o == Observation.NO_INFORMATION) {
      return status;
    }
    if (o == last) {
      streak = Math.min(streak + 1, confirmations);
    } else {
      last = o;
      streak = 1;
    }
    if (streak >= required(autoNatPeers)) {
      status = o == Observation.DIALLED ? Reachability.PUBLIC : Reachability.PRIVATE;
    }
    return status;
  }

  private int required(int autoNatPeers) {
    return Math.max(1, Math.min(confirmations, autoNatPeers));
  }

  public Reachability status() {
    return status;
  }

  /** Whether the status is decided and the last {@code confirmations} answers agree with it. */
  public boolean confirmed() {
    return status != Reachability.UNKNOWN
        && streak >= confirmations
        && (last == Observation.DIALLED) == (status == Reachability.PUBLIC);
  }
}
