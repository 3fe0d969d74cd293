package org.chorus.dht.kad.query;

import java.util.List;
import org.chorus.dht.p2p.core.PeerId;

/**
 * One peer's answer during a lookup, as the runner hands it to the iterator.
 *
 * @param closerPeers the peers it returned (capped by the iterator at k)
 * @param goalReached true when this answer ends the query (a GET found its value, enough
 *     providers), making the runner {@link ClosestPeersIter#stop() stop} the iterator
 */
public record PeerResponse(List<PeerId> closerPeers, boolean goalReached) {

  public PeerResponse {
    closerPeers = List.copyOf(closerPeers);
  }

  public static PeerResponse closer(List<PeerId> peers) {
    return new PeerResponse(peers, false);
  }
}
