package org.chorus.dht.kad.query;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time for the {@link AsyncQueryRunner}: a millisecond clock and a one-shot delayed task. Injected
 * so tests step time by hand instead of sleeping. Implementations must be thread-safe.
 */
public interface QueryTimer {

  /** Milliseconds on a monotonic clock. */
  long nowMillis();

  /** Runs {@code task} once, off the caller's thread, about {@code delayMillis} from now. */
  void schedule(long delayMillis, Runnable task);

  /** {@link System#nanoTime()} and the JDK's shared delay scheduler. */
  QueryTimer SYSTEM =
      new QueryTimer() {
        @Override
        public long nowMillis() {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        }

        @Override
        public void schedule(long delayMillis, Runnable task) {
          CompletableFuture.delayedExecutor(Math.max(0, delayMillis), TimeUnit.MILLISECONDS)
              .execute(task);
        }
      };
}
