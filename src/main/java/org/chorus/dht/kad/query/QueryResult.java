package org.chorus.dht.kad.query;

import java.util.List;
import org.chorus.dht.p2p.core.PeerId;

/**
 * How a lookup ended: an expected outcome is a value, not an exception.
 *
 * @param state the iterator's final state ({@code SUCCEEDED}, {@code EXHAUSTED}, {@code TIMED_OUT}
 *     or {@code STOPPED})
 * @param closest the closest peers that answered, closest first (at most k)
 * @param requests requests sent
 * @param failures requests that failed
 * @param timeouts requests that timed out
 */
public record QueryResult(
    ClosestPeersIter.State state, List<PeerId> closest, int requests, int failures, int timeouts) {

  public QueryResult {
    closest = List.copyOf(closest);
  }

  /** The result of a finished iterator. */
  public static QueryResult of(ClosestPeersIter iter, int k) {
    return new QueryResult(
        iter.state(), iter.closestSucceeded(k), iter.requests(), iter.failures(), iter.timeouts());
  }
}
