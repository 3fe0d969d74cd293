package org.chorus.dht.store;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: many writers, one sync.
 *
 * <p>A writer first applies its change in memory (an MVStore map put, a buffered file write), then
 * calls {@link #register()} to get a ticket and {@link #awaitDurable(long)} to wait until a {@link
 * Flush} that started after the ticket was issued has completed. While one flush runs, the writers
 * that arrive queue up; when it ends, one of them becomes the leader and runs a single flush for
 * all of them. Under load, the number of fsyncs is far smaller than the number of writes, and no
 * write is acknowledged before it is durable.
 *
 * <p>If a flush fails, the leader gets the exception and the other waiters retry with a flush of
 * their own (which normally fails the same way), so every writer either sees its write made durable
 * or gets an exception.
 *
 * <p>Thread-safe: all state is guarded by one lock; the flush itself runs outside it.
 */
public final class GroupCommit {

  /** Makes every change applied so far durable (for MVStore: commit, then sync). */
  @FunctionalInterface
  public interface Flush {
    void flush() throws IOException;
  }

  private final Flush flush;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition flushDone = lock.newCondition();
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();

  // guarded by lock
  private long durable;
  private boolean flushing;

  public GroupCommit(Flush flush) {
    this.flush = flush;
  }

  /**
   * Issues a ticket covering every change the calling thread has applied so far. Call it after
   * applying the change.
   */
  public long register() {
    return issued.incrementAndGet();
  }

  /**
   * Returns once a flush that covers {@code ticket} has completed.
   *
   * @throws IOException if the flush that this thread ran failed
   */
  public void awaitDurable(long ticket) throws IOException {
    commits.incrementAndGet();
    lock.lock();
    try {
      while (durable < ticket) {
        if (flushing) {
          flushDone.awaitUninterruptibly();
          continue;
        }
        flushing = true;
        long target = issued.get();
        lock.unlock();
        boolean ok = false;
        try {
          flush.flush();
          flushes.incrementAndGet();
          ok = true;
        } finally {
          lock.lock();
          flushing = false;
          if (ok && target > durable) {
            durable = target;
          }
          flushDone.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** {@link #register()} then {@link #awaitDurable(long)}. */
  public void commit() throws IOException {
    awaitDurable(register());
  }

  /** How many flushes (fsyncs) have completed. */
  public long flushes() {
    return flushes.get();
  }

  /** How many commits have been awaited. {@code commits / flushes} is the group size. */
  public long commits() {
    return commits.get();
  }
}
