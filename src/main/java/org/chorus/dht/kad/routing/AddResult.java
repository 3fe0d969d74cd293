package org.chorus.dht.kad.routing;

import java.util.Optional;
import org.chorus.dht.p2p.core.PeerId;

/**
 * What {@link RoutingTable#add} did. When the bucket was full the candidate waits in the
 * replacement cache ({@link Outcome#PENDING}) and, unless a probe of that bucket is already in
 * flight, {@link #probeTarget()} names the least-recently-seen entry the caller must ping and
 * report with {@link RoutingTable#onProbeResult}.
 *
 * @param outcome what happened
 * @param probe the peer to probe, or null
 */
public record AddResult(Outcome outcome, PeerId probe) {

  /** The possible outcomes of an add. */
  public enum Outcome {
    /** Inserted into its bucket. */
    ADDED,
    /** Was present; now most recently seen. */
    UPDATED,
    /** Bucket full: kept as a replacement candidate. */
    PENDING,
    /** The local peer is never in its own table. */
    REJECTED_SELF,
    /** Over an IP diversity cap. */
    REJECTED_DIVERSITY,
    /** Bucket full and no replacement cache. */
    REJECTED_FULL
  }

  static final AddResult ADDED = new AddResult(Outcome.ADDED, null);
  static final AddResult UPDATED = new AddResult(Outcome.UPDATED, null);
  static final AddResult PENDING = new AddResult(Outcome.PENDING, null);
  static final AddResult SELF = new AddResult(Outcome.REJECTED_SELF, null);
  static final AddResult DIVERSITY = new AddResult(Outcome.REJECTED_DIVERSITY, null);
  static final AddResult FULL = new AddResult(Outcome.REJECTED_FULL, null);

  /** The least-recently-seen peer to probe, when a probe is due. */
  public Optional<PeerId> probeTarget() {
    return Optional.ofNullable(probe);
  }

  /** Whether the peer is in the table now. */
  public boolean inTable() {
    return outcome == Outcome.ADDED || outcome == Outcome.UPDATED;
  }
}
