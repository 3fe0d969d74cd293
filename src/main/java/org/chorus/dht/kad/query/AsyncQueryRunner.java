package org.chorus.dht.kad.query;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The asynchronous {@link QueryRunner}: each query's iterator is only touched while holding that
 * query's monitor; requests are sent outside it. The runner wakes up at {@link
 * ClosestPeersIter#nextTimeoutMillis()} through the injected {@link QueryTimer}, so a request whose
 * stage never completes is still timed out at {@code rpcTimeout} and the whole query at its
 * deadline. Thread-safe; starts no threads of its own.
 */
public final class AsyncQueryRunner implements QueryRunner {

  private final QueryTimer timer;
  private final int k;
  private final int maxConcurrent;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong rejected = new AtomicLong();

  /**
   * @param k closest peers reported in the {@link QueryResult}
   * @param maxConcurrent queries at once (normally {@link #MAX_CONCURRENT_QUERIES})
   */
  public AsyncQueryRunner(QueryTimer timer, int k, int maxConcurrent) {
    this.timer = Objects.requireNonNull(timer, "timer");
    if (k < 1 || maxConcurrent < 1) {
      throw new IllegalArgumentException("k and maxConcurrent must be positive");
    }
    this.k = k;
    this.maxConcurrent = maxConcurrent;
  }

  public AsyncQueryRunner(QueryTimer timer, int k) {
    this(timer, k, MAX_CONCURRENT_QUERIES);
  }

  /** Queries running now. */
  public int running() {
    return running.get();
  }

  /** Queries refused because {@code maxConcurrent} were running (a rejection metric). */
  public long rejected() {
    return rejected.get();
  }

  @Override
  public CompletionStage<QueryResult> run(ClosestPeersIter iterator, PeerRequester requester) {
    Objects.requireNonNull(iterator, "iterator");
    Objects.requireNonNull(requester, "requester");
    if (running.incrementAndGet() > maxConcurrent) {
      running.decrementAndGet();
      rejected.incrementAndGet();
      return CompletableFuture.failedFuture(
          new RejectedExecutionException(
              "failed to start query: " + maxConcurrent + " queries running"));
    }
    Query query = new Query(iterator, requester);
    query.step();
    return query.result;
  }

  /** One running lookup; its monitor guards the iterator. */
  private final class Query {
    final ClosestPeersIter iter;
    final PeerRequester requester;
    final CompletableFuture<QueryResult> result = new CompletableFuture<>();
    long wakeAt = Long.MAX_VALUE;
    boolean released;

    Query(ClosestPeersIter iter, PeerRequester requester) {
      this.iter = iter;
      this.requester = requester;
      result.whenComplete(
          (r, e) -> {
            if (result.isCancelled()) {
              synchronized (this) {
                iter.stop();
              }
            }
            release();
          });
    }

    void step() {
      List<PeerId> send;
      synchronized (this) {
        if (result.isDone()) {
          return;
        }
        send = iter.next(timer.nowMillis());
        if (iter.isFinished()) {
          finish();
          return;
        }
        scheduleWake();
      }
      for (PeerId peer : send) {
        CompletionStage<PeerResponse> stage;
        try {
          stage = requester.request(peer);
        } catch (RuntimeException e) {
          stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((response, error) -> answered(peer, response, error));
      }
    }

    private void answered(PeerId peer, PeerResponse response, Throwable error) {
      synchronized (this) {
        if (result.isDone()) {
          return;
        }
        if (error != null || response == null) {
          iter.onFailure(peer);
        } else {
          iter.onSuccess(peer, response.closerPeers());
          if (response.goalReached()) {
            iter.stop();
          }
        }
      }
      step();
    }

    private void scheduleWake() {
      long at = iter.nextTimeoutMillis();
      if (at >= wakeAt) {
        return;
      }
      wakeAt = at;
      timer.schedule(
          Math.max(1, at - timer.nowMillis()),
          () -> {
            synchronized (this) {
              if (wakeAt == at) {
                wakeAt = Long.MAX_VALUE;
              }
            }
            step();
          });
    }

    private void finish() {
      result.complete(QueryResult.of(iter, k));
    }

    private void release() {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      running.decrementAndGet();
    }
  }
}
