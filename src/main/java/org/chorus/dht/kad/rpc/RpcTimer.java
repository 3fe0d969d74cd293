package org.chorus.dht.kad.rpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay, off the caller's thread: the RPC timeouts. Injected so tests can
 * fire timeouts by hand instead of waiting. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RpcTimer {
  void schedule(Duration delay, Runnable task);

  /** The JDK's shared delay scheduler (tasks run on the common pool). */
  RpcTimer SYSTEM =
      (delay, task) ->
          CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(task);
}
