package org.chorus.dht.p2p.core;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the bytes buffered under one scope, as go-libp2p's resource manager scopes: the host has
 * one budget for all its connections, each connection a child budget of it, and each stream a
 * {@link Scope} drawing from its connection's. A reservation must fit every level; a refusal is
 * counted by the level that refused ({@code onRefused}) and nothing is taken.
 *
 * <p>Thread-safe: lock-free counters, so reservations may come from any thread.
 */
public final class MemoryBudget {
  private final long limit;
  private final MemoryBudget parent;
  private final Runnable onRefused;
  private final AtomicLong used = new AtomicLong();
  private volatile boolean closed;

  private MemoryBudget(long limit, MemoryBudget parent, Runnable onRefused) {
    if (limit < 1) {
      throw new IllegalArgumentException("memory limit must be >= 1: " + limit);
    }
    this.limit = limit;
    this.parent = parent;
    this.onRefused = onRefused;
  }

  /** A top-level budget of {@code limit} bytes; {@code onRefused} runs once per refusal. */
  public static MemoryBudget root(long limit, Runnable onRefused) {
    return new MemoryBudget(limit, null, onRefused);
  }

  /** A budget without limit (tests, and muxers created outside a host). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE, null, () -> {});
  }

  /** A budget of at most {@code limit} bytes whose reservations also count against this one. */
  public MemoryBudget child(long limit, Runnable onRefused) {
    return new MemoryBudget(limit, this, onRefused);
  }

  public long limit() {
    return limit;
  }

  /** Bytes reserved now (children's included). */
  public long used() {
    return used.get();
  }

  /**
   * Takes {@code bytes} here and in every parent, or nothing (false, counted by the level that
   * refused) if one is full or this budget is closed.
   */
  public boolean reserve(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    if (closed) {
      return false;
    }
    if (parent != null && !parent.reserve(bytes)) {
      return false;
    }
    while (true) {
      long u = used.get();
      if (u + bytes > limit || u + bytes < 0) {
        if (parent != null) {
          parent.release(bytes);
        }
        onRefused.run();
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        break;
      }
    }
    if (closed) { // closed meanwhile: close() gave back what it saw, we give back the rest
      long n = take(bytes);
      if (parent != null) {
        parent.release(n);
      }
      return false;
    }
    return true;
  }

  /** Gives back {@code bytes} here and in every parent (never more than this budget holds). */
  public void release(long bytes) {
    if (bytes <= 0) {
      return;
    }
    long n = take(bytes);
    if (parent != null && n > 0) {
      parent.release(n);
    }
  }

  /** Lowers {@link #used} by up to {@code bytes}, never below 0; returns by how much. */
  private long take(long bytes) {
    while (true) {
      long u = used.get();
      long n = Math.min(u, bytes);
      if (n <= 0) {
        return 0;
      }
      if (used.compareAndSet(u, u - n)) {
        return n;
      }
    }
  }

  /**
   * Closes this budget (its connection is gone): what it still holds goes back to the parent at
   * once, later releases are no-ops and reservations fail. A safety net: a buffer that was not
   * given back cannot shrink the parent for good.
   */
  public void close() {
    closed = true;
    long left = used.getAndSet(0);
    if (parent != null && left > 0) {
      parent.release(left);
    }
  }

  /** A stream's share: what it holds is given back at the latest by {@link Scope#close()}. */
  public Scope openScope() {
    return new Scope(this);
  }

  /**
   * One stream's reservations against a {@link MemoryBudget}. After {@link #close()} everything
   * still held has been given back and further reservations fail (without counting: the stream is
   * gone). Thread-safe.
   */
  public static final class Scope implements MemoryScope, AutoCloseable {
    private final MemoryBudget budget;
    private final AtomicLong held = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Scope(MemoryBudget budget) {
      this.budget = budget;
    }

    @Override
    public boolean reserve(int bytes) {
      if (bytes <= 0) {
        return true;
      }
      if (closed.get() || !budget.reserve(bytes)) {
        return false;
      }
      held.addAndGet(bytes);
      if (closed.get()) { // closed meanwhile: give it back ourselves
        giveBack(bytes);
        return false;
      }
      return true;
    }

    @Override
    public void release(int bytes) {
      giveBack(bytes);
    }

    private void giveBack(long bytes) {
      while (bytes > 0) {
        long h = held.get();
        long n = Math.min(h, bytes);
        if (n == 0) {
          return;
        }
        if (held.compareAndSet(h, h - n)) {
          budget.release(n);
          return;
        }
      }
    }

    /**
     * Hands up to {@code bytes} of this scope's reservation over to the caller, who must {@link
     * MemoryBudget#release} them on the budget later (bytes that outlive the stream, such as a
     * written frame not yet on the socket). Returns how many were handed over.
     */
    public long detach(long bytes) {
      while (bytes > 0) {
        long h = held.get();
        long n = Math.min(h, bytes);
        if (n == 0) {
          return 0;
        }
        if (held.compareAndSet(h, h - n)) {
          return n;
        }
      }
      return 0;
    }

    /** Bytes this scope holds now. */
    public long held() {
      return held.get();
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        giveBack(Long.MAX_VALUE);
      }
    }
  }
}
