package org.chorus.dht.kad.rpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.chorus.dht.kad.KadConfig;

/**
 * Where the kad layer does what may block or burn CPU (record validation, record and provider store
 * writes with their commit and fsync, answers read from a persistent store), off the Netty event
 * loops, which only frame and dispatch.
 *
 * <p>Bounded: at most {@code queue} peers' requests wait for a worker, holding at most {@code
 * maxQueuedBytes} of their messages; a request that does not fit is refused ({@link #tryExecute}
 * returns false, the caller resets the stream) and counted in {@link #refused()}, never queued
 * without bound. This node's own work ({@link #supply}: validating what its lookups received,
 * storing a lookup's correction) may use up to twice {@code queue} slots, so peers filling the
 * queue delay it but do not refuse it; it is bounded itself by the query runner's caps (queries ×
 * alpha answers in flight).
 *
 * <p>Thread-safe.
 */
public final class KadWorkPool implements AutoCloseable {

  /** Name prefix of the worker threads (tests check that work ran on one). */
  public static final String THREAD_PREFIX = "chorus-kad-worker-";

  /** Longest wait in {@link #close} for work already admitted. */
  static final long CLOSE_WAIT_SECONDS = 10;

  private final Executor executor;
  private final ExecutorService owned;
  private final int queue;
  private final long maxQueuedBytes;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong waitingBytes = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  private KadWorkPool(Executor executor, ExecutorService owned, int queue, long maxQueuedBytes) {
    if (queue < 1 || maxQueuedBytes < 1) {
      throw new IllegalArgumentException("queue and maxQueuedBytes must be positive");
    }
    this.executor = Objects.requireNonNull(executor, "executor");
    this.owned = owned;
    this.queue = queue;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** A pool of {@code limits.workerThreads()} daemon threads with the limits' queue bounds. */
  public static KadWorkPool start(KadConfig.Limits limits) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            limits.workerThreads(),
            limits.workerThreads(),
            0,
            TimeUnit.MILLISECONDS,
            // unbounded as a type; admission below keeps it within 2 * queue
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new KadWorkPool(pool, pool, limits.workQueue(), limits.workQueueBytes());
  }

  /** Admission over {@code executor} (tests drive a blocked or manual one); close leaves it be. */
  public static KadWorkPool over(Executor executor, int queue, long maxQueuedBytes) {
    return new KadWorkPool(executor, null, queue, maxQueuedBytes);
  }

  /** Runs everything on the caller's thread at once (unit tests and fuzzing; never refuses). */
  public static KadWorkPool inline() {
    return over(Runnable::run, Integer.MAX_VALUE / 2, Long.MAX_VALUE / 2);
  }

  /**
   * Runs a peer's request of {@code bytes} on a worker if it fits the queue; false (counted) when
   * it does not or the pool is closed.
   */
  public boolean tryExecute(int bytes, Runnable task) {
    Objects.requireNonNull(task, "task");
    if (!admit(queue, bytes)) {
      refused.increment();
      return false;
    }
    return submit(bytes, task);
  }

  /**
   * This node's own work on a worker; the stage fails with {@link RejectedExecutionException}
   * (counted) when twice the queue waits already or the pool is closed, and with whatever {@code
   * work} throws.
   */
  public <T> CompletableFuture<T> supply(Supplier<T> work) {
    Objects.requireNonNull(work, "work");
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            result.complete(work.get());
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
          }
        };
    if (!admit(2 * queue, 0)) {
      refused.increment();
      result.completeExceptionally(
          new RejectedExecutionException("failed to queue kad work: " + 2 * queue + " waiting"));
    } else if (!submit(0, task)) {
      result.completeExceptionally(
          new RejectedExecutionException("failed to queue kad work: the pool is closed"));
    }
    return result;
  }

  private boolean admit(int limit, long bytes) {
    while (true) {
      int w = waiting.get();
      if (w >= limit) {
        return false;
      }
      if (waiting.compareAndSet(w, w + 1)) {
        break;
      }
    }
    if (bytes > 0 && waitingBytes.addAndGet(bytes) > maxQueuedBytes) {
      waitingBytes.addAndGet(-bytes);
      waiting.decrementAndGet();
      return false;
    }
    return true;
  }

  private boolean submit(long bytes, Runnable task) {
    Runnable wrapped =
        () -> {
          waiting.decrementAndGet();
          waitingBytes.addAndGet(-bytes);
          task.run();
        };
    try {
      executor.execute(wrapped);
      return true;
    } catch (RejectedExecutionException e) {
      waiting.decrementAndGet();
      waitingBytes.addAndGet(-bytes);
      refused.increment();
      return false;
    }
  }

  /** Tasks admitted and waiting for a worker (the queue depth gauge). */
  public int queued() {
    return waiting.get();
  }

  /** Bytes of the peers' requests waiting. */
  public long queuedBytes() {
    return waitingBytes.get();
  }

  /** Tasks refused because the queue was full or the pool closed (a rejection metric). */
  public long refused() {
    return refused.sum();
  }

  /** Stops taking work and waits (up to {@value #CLOSE_WAIT_SECONDS} s) for what was admitted. */
  @Override
  public void close() {
    if (owned == null) {
      return;
    }
    owned.shutdown();
    try {
      owned.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
