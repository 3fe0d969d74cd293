package org.chorus.dht.kad.rpc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A token bucket per remote peer: each kad request takes a token; tokens come back at {@code
 * perSecond} up to {@code burst}. A request without a token is {@linkplain #throttled() throttled}
 * (the handler resets its stream).
 *
 * <p>Bounded: buckets of at most {@code maxPeers} peers are kept, least recently seen first out. A
 * bucket idle long enough to be full again is the same as no bucket, so it goes as soon as a new
 * peer needs room; forgetting a bucket that is not yet full only gives that peer a full one, so a
 * peer cannot gain more than {@code burst} by it unless more than {@code maxPeers} peers are active
 * at once.
 *
 * <p>Time comes from the injected nanosecond ticker. Thread-safe: one lock, held for a map lookup
 * and a few arithmetic steps (cheap enough for the event loops).
 */
public final class PeerRateLimiter {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double perNano;
  private final double burst;
  private final long refillNanos;
  private final LongSupplier ticker;
  private final LongAdder throttled = new LongAdder();
  private final boolean unlimited;
  private final Map<PeerId, Bucket> buckets;

  /** Tokens left at {@code last} (ticker nanos). Guarded by the map's lock. */
  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  /**
   * @param ticker nanoseconds on a monotonic clock ({@code System::nanoTime} in production)
   */
  public PeerRateLimiter(double perSecond, int burst, int maxPeers, LongSupplier ticker) {
    this(perSecond, burst, maxPeers, ticker, false);
  }

  private PeerRateLimiter(
      double perSecond, int burst, int maxPeers, LongSupplier ticker, boolean unlimited) {
    this.unlimited = unlimited;
    if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1 || maxPeers < 1) {
      throw new IllegalArgumentException("rate, burst and maxPeers must be positive");
    }
    this.perNano = perSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.refillNanos = (long) Math.ceil(burst / this.perNano);
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<PeerId, Bucket> eldest) {
            return size() > maxPeers || full(eldest.getValue(), ticker.getAsLong());
          }
        };
  }

  /** The limits' rate, burst and peer cap on {@link System#nanoTime()}. */
  public static PeerRateLimiter of(KadConfig.Limits limits) {
    return of(limits, System::nanoTime);
  }

  /** As {@link #of(KadConfig.Limits)} on {@code nanoTicker} (nanoseconds, monotonic). */
  public static PeerRateLimiter of(KadConfig.Limits limits, LongSupplier nanoTicker) {
    return new PeerRateLimiter(
        limits.requestsPerSecond(),
        limits.requestBurst(),
        limits.maxRateLimitedPeers(),
        nanoTicker);
  }

  /** Never throttles (unit tests and tools). */
  public static PeerRateLimiter unlimited() {
    return new PeerRateLimiter(1, 1, 1, () -> 0L, true);
  }

  /** Takes a token of {@code peer}'s bucket; false (counted) when it has none. */
  public boolean tryAcquire(PeerId peer) {
    if (unlimited) {
      return true;
    }
    long now = ticker.getAsLong();
    synchronized (buckets) {
      Bucket b = buckets.get(peer);
      if (b == null) {
        b = new Bucket(burst, now);
        buckets.put(peer, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.last) * perNano);
        b.last = now;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
    }
    throttled.increment();
    return false;
  }

  /** Requests refused for want of a token ({@code chorus_kad_requests_throttled_total}). */
  public long throttled() {
    return throttled.sum();
  }

  /** Peers with a bucket now. */
  public int trackedPeers() {
    synchronized (buckets) {
      return buckets.size();
    }
  }

  private boolean full(Bucket b, long now) {
    return now - b.last >= refillNanos;
  }
}
