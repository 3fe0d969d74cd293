package org.chorus.dht.testing;

import java.time.Duration;
import java.util.PriorityQueue;
import org.chorus.dht.kad.query.QueryTimer;

/**
 * A {@link QueryTimer} whose time only moves when a test advances it: scheduled tasks (query wakes,
 * RPC and inbound-stream timeouts) run on the advancing thread, in due order, when their time
 * comes, and never otherwise. Thread-safe.
 */
public final class ManualQueryTimer implements QueryTimer {

  private record Task(long at, long seq, Runnable run) {}

  private long now;
  private long seq;
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));

  @Override
  public synchronized long nowMillis() {
    return now;
  }

  @Override
  public synchronized void schedule(long delayMillis, Runnable task) {
    tasks.add(new Task(now + delayMillis, seq++, task));
  }

  /** Tasks scheduled and not yet run. */
  public synchronized int pending() {
    return tasks.size();
  }

  /** Moves time {@code millis} on, running every task that comes due meanwhile. */
  public void advance(long millis) {
    long until;
    synchronized (this) {
      until = now + millis;
    }
    while (true) {
      Task t;
      synchronized (this) {
        t = tasks.peek();
        if (t == null || t.at > until) {
          now = until;
          return;
        }
        tasks.poll();
        now = Math.max(now, t.at);
      }
      t.run.run();
    }
  }

  public void advance(Duration d) {
    advance(d.toMillis());
  }
}
