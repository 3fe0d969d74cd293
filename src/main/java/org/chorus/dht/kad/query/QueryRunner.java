package org.chorus.dht.kad.query;

import java.util.concurrent.CompletionStage;

/**
 * Drives a {@link ClosestPeersIter} against the network: calls {@link ClosestPeersIter#next} with
 * the current time, sends a request per returned peer through the {@link PeerRequester}, feeds
 * answers back ({@link ClosestPeersIter#onSuccess}/{@link ClosestPeersIter#onFailure}; {@link
 * ClosestPeersIter#stop()} when a response reached the goal), and wakes up at {@link
 * ClosestPeersIter#nextTimeoutMillis()} to expire requests, until the iterator finishes.
 *
 * <p>Contract for implementations (the async adapter in the rpc layer, the simulation's event
 * loop): all calls on one iterator happen on one thread or serial executor, because the iterator is
 * not thread-safe; at most {@code alpha} requests per query are in flight (the iterator guarantees
 * it); at most {@link #MAX_CONCURRENT_QUERIES} queries run at once, a further one completes
 * exceptionally with {@link java.util.concurrent.RejectedExecutionException} (a local overload, not
 * a lookup outcome) instead of queueing without bound; requests are timed out at {@code rpcTimeout}
 * even if the requester never completes; cancelling the returned stage stops the iterator.
 */
public interface QueryRunner {

  /** Queries running at once, per node. */
  int MAX_CONCURRENT_QUERIES = 64;

  /** Runs {@code iterator} to completion; the stage completes with its result. */
  CompletionStage<QueryResult> run(ClosestPeersIter iterator, PeerRequester requester);
}
