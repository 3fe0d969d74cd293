package org.chorus.dht.kad.query;

import java.util.concurrent.CompletionStage;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Sends the query's request (FIND_NODE, GET_VALUE, GET_PROVIDERS...) to one peer. Implemented by
 * the rpc layer; the stage fails on any transport or protocol error. The runner applies the
 * per-request timeout itself, so implementations need not (but may) time out.
 */
@FunctionalInterface
public interface PeerRequester {

  CompletionStage<PeerResponse> request(PeerId peer);
}
