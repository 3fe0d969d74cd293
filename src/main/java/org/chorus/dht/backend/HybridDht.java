package org.chorus.dht.backend;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.chorus.dht.backend.PendingPushQueue.Entry;
import org.chorus.dht.backend.PendingPushQueue.Kind;
import org.chorus.dht.p2p.core.Multiaddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend over a network backend ({@link NetworkDht} in production) and the embedded {@link
 * LocalDht}, which keeps working when the network does not and loses nothing it acknowledged.
 *
 * <p><b>Writes.</b> {@link #putValue} stores in the local backend first (durable when it returns),
 * then, when the network is the active backend, in the network. A network put counts as reaching
 * the network when at least one other peer accepted it (or the network's target is one copy). If it
 * did not, failed, or the network is not active, the key goes into the durable {@link
 * PendingPushQueue} before the call returns; the result then says one replica. {@link #provide}
 * works the same way (local provider record, then network, else queued). {@link #deleteValue}
 * removes the local copies and the queued push. A record the network refuses as invalid ({@link
 * RecordRejectedException}) is not a network failure: the exception reaches the caller, and the
 * local copy already written stays (the storage layer validates envelopes before it puts, so this
 * does not happen for its writes).
 *
 * <p><b>Pushing back.</b> {@link #drainNow()} pushes queued keys to the network, reading the latest
 * local value at push time, with at most {@link Config#drainConcurrency()} pushes in flight, and
 * removes an entry only after its push succeeded (and only if it was not re-queued meanwhile). A
 * failed push ends the round and the next round waits a backoff that doubles from {@link
 * Config#retryBackoff()} up to {@link Config#maxRetryBackoff()}. A value the network refuses as
 * invalid is dropped from the queue (logged, counted in {@link Snapshot#pushRejected()}); it stays
 * in the local backend. The queue lives in the data directory, so pushes survive a restart.
 *
 * <p><b>Reads.</b> The active backend first; when it is the network, a failure or a miss falls back
 * to the local backend.
 *
 * <p><b>Selection.</b> In {@link Selection#AUTO} the network is active while it is up. It goes down
 * after {@link Config#failureThreshold()} consecutive failed network operations or when a {@link
 * #maintain()} check finds its routing table empty; it comes back when the {@link NetworkProbe}
 * succeeds, which also resets the push backoff. {@link #select} pins {@code NETWORK} or {@code
 * LOCAL} until set back to {@code AUTO} (held in memory; a restart returns to {@code AUTO}). While
 * {@code LOCAL} is pinned nothing is pushed. {@link #maintain()} is meant to be called by a
 * scheduler: probe when down, readiness check when up, then a push round when due. Health per
 * backend ({@link #health()}): operations, errors, last error, latency (EWMA), consecutive failures
 * and a status.
 *
 * <p>{@link #close()} stops pushing and closes the network backend, the local backend and the
 * queue, in that order.
 *
 * <p>Thread-safe: counters are atomic, health records are guarded by their own lock, a push round
 * runs at most once at a time.
 */
public final class HybridDht implements DhtBackend {

  /** {@link #name()} and {@link BackendStats#backend()}. */
  public static final String NAME = "hybrid";

  private static final Logger log = LoggerFactory.getLogger(HybridDht.class);

  /** Which backend is active: chosen automatically or pinned by an operator. */
  public enum Selection {
    AUTO,
    NETWORK,
    LOCAL;

    /** Parses {@code auto}, {@code network} or {@code local} (any case). */
    public static Selection parse(String text) {
      if (text != null) {
        for (Selection s : values()) {
          if (s.name().equalsIgnoreCase(text.trim())) {
            return s;
          }
        }
      }
      throw new IllegalArgumentException(
          "unknown backend '" + text + "' (expected network, local or auto)");
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A backend's state: no recent failure, some, or out of use. */
  public enum Status {
    UP,
    DEGRADED,
    DOWN
  }

  /**
   * Checks whether the network can be used again; runs while the network is down. It must return
   * within a bounded time.
   */
  @FunctionalInterface
  public interface NetworkProbe {
    boolean reachable(DhtBackend network) throws Exception;

    /**
     * Whether the probe can find peers while the routing table is empty (it has bootstrap addresses
     * to dial). When it cannot, a node with an empty table is standalone: {@link #maintain()} does
     * not probe (nothing to reach, no failure to count) and the network comes into use when a peer
     * joins ({@link #networkAvailable()}).
     */
    default boolean canJoin() {
      return true;
    }

    /** Reachable when the routing table is not empty. */
    NetworkProbe ROUTING_TABLE = network -> network.stats().routingTableSize() > 0;
  }

  /**
   * The knobs, validated once.
   *
   * @param failureThreshold consecutive network failures after which the local backend takes over
   * @param targetReplicas copies wanted, reported when the network is not reached
   * @param drainConcurrency pushes in flight at once
   * @param drainBatch queue entries read per step of a push round
   * @param retryBackoff wait after the first failed push round; doubles per failed round
   * @param maxRetryBackoff cap of that wait
   * @param pushTimeout longest wait for one push (the network backend has its own timeout too)
   */
  public record Config(
      int failureThreshold,
      int targetReplicas,
      int drainConcurrency,
      int drainBatch,
      Duration retryBackoff,
      Duration maxRetryBackoff,
      Duration pushTimeout) {

    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final int DEFAULT_TARGET_REPLICAS = 3;
    public static final int DEFAULT_DRAIN_CONCURRENCY = 4;
    public static final int DEFAULT_DRAIN_BATCH = 64;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofMinutes(1);
    public static final Duration DEFAULT_PUSH_TIMEOUT = Duration.ofSeconds(60);

    public static final Config DEFAULT =
        new Config(
            DEFAULT_FAILURE_THRESHOLD,
            DEFAULT_TARGET_REPLICAS,
            DEFAULT_DRAIN_CONCURRENCY,
            DEFAULT_DRAIN_BATCH,
            DEFAULT_RETRY_BACKOFF,
            DEFAULT_MAX_RETRY_BACKOFF,
            DEFAULT_PUSH_TIMEOUT);

    /** Returns this config, or throws naming the first bad knob. */
    public Config validate() {
      check(failureThreshold >= 1, "failureThreshold must be at least 1");
      check(targetReplicas >= 1, "targetReplicas must be at least 1");
      check(drainConcurrency >= 1 && drainConcurrency <= 64, "drainConcurrency must be 1..64");
      check(drainBatch >= 1 && drainBatch <= 10_000, "drainBatch must be 1..10000");
      check(positive(retryBackoff), "retryBackoff must be positive");
      check(
          positive(maxRetryBackoff) && maxRetryBackoff.compareTo(retryBackoff) >= 0,
          "maxRetryBackoff must be at least retryBackoff");
      check(positive(pushTimeout), "pushTimeout must be positive");
      return this;
    }

    private static boolean positive(Duration d) {
      return d != null && !d.isNegative() && !d.isZero();
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /**
   * A backend's health.
   *
   * @param latencyMillis exponentially weighted moving average of operation time (alpha {@value
   *     #EWMA_ALPHA})
   */
  public record BackendHealth(
      String name,
      boolean active,
      Status status,
      long operations,
      long errors,
      long consecutiveFailures,
      String lastError,
      Instant lastErrorAt,
      double latencyMillis) {}

  /** The state shown by {@code GET /api/v1/backends}. */
  public record Snapshot(
      Selection selection,
      String active,
      long pendingPushes,
      long fallbacks,
      long recoveries,
      long pushed,
      long pushRejected,
      List<BackendHealth> backends) {
    public Snapshot {
      backends = List.copyOf(backends);
    }
  }

  /** What one push round did. */
  public record DrainResult(int pushed, int failed, int dropped, boolean ran) {}

  static final double EWMA_ALPHA = 0.2;

  private final DhtBackend network;
  private final DhtBackend local;
  private final PendingPushQueue pending;
  private final NetworkProbe probe;
  private final Config config;
  private final Clock clock;
  private final Tracker networkHealth;
  private final Tracker localHealth;
  private final AtomicBoolean networkUp = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong recoveries = new AtomicLong();
  private final AtomicLong pushed = new AtomicLong();
  private final AtomicLong pushRejected = new AtomicLong();
  private final ExecutorService pushers;
  private final ExecutorService drainer;
  private volatile Selection selection = Selection.AUTO;
  private volatile long nextDrainAtMillis;
  private volatile long backoffMillis;
  private volatile boolean closed;

  /**
   * @param network the network backend; closed by {@link #close()}
   * @param local the embedded backend; closed by {@link #close()}
   * @param pending the queue of pushes; closed by {@link #close()}
   * @param probe decides when a down network is back
   */
  public HybridDht(
      DhtBackend network,
      DhtBackend local,
      PendingPushQueue pending,
      NetworkProbe probe,
      Config config,
      Clock clock) {
    this.network = Objects.requireNonNull(network, "network");
    this.local = Objects.requireNonNull(local, "local");
    this.pending = Objects.requireNonNull(pending, "pending");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.config = Objects.requireNonNull(config, "config").validate();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.networkHealth = new Tracker(network.name());
    this.localHealth = new Tracker(local.name());
    AtomicInteger threads = new AtomicInteger();
    this.pushers =
        Executors.newFixedThreadPool(
            config.drainConcurrency(),
            r -> {
              Thread t = new Thread(r, "hybrid-push-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.drainer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "hybrid-drain");
              t.setDaemon(true);
              return t;
            });
    this.networkUp.set(networkReady());
  }

  @Override
  public String name() {
    return NAME;
  }

  // ---------------------------------------------------------------- selection and health

  /** Pins a backend, or returns to automatic selection with {@link Selection#AUTO}. */
  public void select(Selection selection) {
    Selection old = this.selection;
    this.selection = Objects.requireNonNull(selection, "selection");
    if (old != selection) {
      log.info("backend selection {} -> {} (active: {})", old, selection, activeName());
    }
    if (selection != Selection.LOCAL) {
      nextDrainAtMillis = 0;
    }
  }

  public Selection selection() {
    return selection;
  }

  /** The name of the backend that reads and writes go to first. */
  public String activeName() {
    return networkActive() ? network.name() : local.name();
  }

  /** Whether automatic selection currently considers the network usable. */
  public boolean networkUp() {
    return networkUp.get();
  }

  /** Queued pushes. */
  public long pendingPushes() {
    return pending.size();
  }

  /** Times the network was taken out of use automatically. */
  public long fallbacks() {
    return fallbacks.get();
  }

  /** Queue entries pushed to the network so far. */
  public long pushed() {
    return pushed.get();
  }

  /** The network and local health, in that order. */
  public List<BackendHealth> health() {
    boolean net = networkActive();
    Status networkStatus = networkUp.get() ? networkHealth.status() : Status.DOWN;
    return List.of(
        networkHealth.snapshot(net, networkStatus),
        localHealth.snapshot(!net, localHealth.status()));
  }

  public Snapshot snapshot() {
    return new Snapshot(
        selection,
        activeName(),
        pendingPushes(),
        fallbacks.get(),
        recoveries.get(),
        pushed.get(),
        pushRejected.get(),
        health());
  }

  private boolean networkActive() {
    Selection s = selection;
    return s == Selection.NETWORK || (s == Selection.AUTO && networkUp.get());
  }

  /**
   * One scheduler tick: while the network is down, probe it (unless it has no peer and no way to
   * find one: a standalone node waits for peers to join); while it is up, take it out of use if its
   * routing table is empty; then run a push round if one is due.
   */
  public void maintain() {
    if (closed) {
      return;
    }
    if (!networkUp.get()) {
      if (probe.canJoin() || networkReady()) {
        probeNow();
      }
    } else if (!networkReady()) {
      markNetworkDown("routing table empty");
    }
    drainNow();
  }

  /**
   * A peer entered the network's routing table (an event from the Dht, on its thread; returns at
   * once): under automatic selection a network that was out of use comes back now rather than at
   * the next {@link #maintain()} tick, and the queued pushes (what this node stored while alone or
   * cut off) start on the drain thread.
   */
  public void networkAvailable() {
    if (closed || !networkReady()) {
      return;
    }
    if (networkUp.compareAndSet(false, true)) {
      recoveries.incrementAndGet();
      backoffMillis = 0;
      nextDrainAtMillis = 0;
      log.info("network backend in use: a peer joined; {} pushes queued", pending.size());
    }
    if (pending.size() > 0 && networkActive() && !draining.get()) {
      try {
        drainer.execute(this::drainNow);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Runs the probe now; a success brings the network back, a failure takes it out of use. */
  public boolean probeNow() {
    if (closed) {
      return false;
    }
    long start = System.nanoTime();
    boolean ok;
    String error = null;
    try {
      ok = probe.reachable(network);
      if (!ok) {
        error = "probe: network not reachable";
      }
    } catch (Exception e) {
      ok = false;
      error = "probe failed: " + e;
    }
    long nanos = System.nanoTime() - start;
    if (ok) {
      networkHealth.success(nanos);
      if (networkUp.compareAndSet(false, true)) {
        recoveries.incrementAndGet();
        backoffMillis = 0;
        nextDrainAtMillis = 0;
        log.info("network backend is reachable again; {} pushes queued", pending.size());
      }
    } else {
      networkHealth.failure(nanos, error, clock.instant());
      markNetworkDown(error);
    }
    return ok;
  }

  private boolean networkReady() {
    try {
      return network.routingTableSize() > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void markNetworkDown(String why) {
    if (networkUp.compareAndSet(true, false)) {
      fallbacks.incrementAndGet();
      log.warn("network backend out of use ({}); the local backend takes over", why);
    }
  }

  private void networkFailed(long nanos, String error) {
    networkHealth.failure(nanos, error, clock.instant());
    if (networkHealth.consecutiveFailures() >= config.failureThreshold()) {
      markNetworkDown(networkHealth.consecutiveFailures() + " consecutive failures: " + error);
    }
  }

  // ---------------------------------------------------------------- operations

  @Override
  public PutResult putValue(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    ensureOpen();
    Long queuedBefore = pending.sequenceOf(Kind.VALUE, key);
    onLocal(() -> local.putValue(key, value));
    if (networkActive()) {
      long start = System.nanoTime();
      try {
        PutResult result = network.putValue(key, value);
        long nanos = System.nanoTime() - start;
        // the network answered: peers stored it, or told what they hold instead (the caller
        // decides what a lost version means; nothing to push later either way)
        if (reachedNetwork(result) || !result.conflicting().isEmpty()) {
          networkHealth.success(nanos);
          if (queuedBefore != null) {
            pending.removeIfUnchanged(new Entry(Kind.VALUE, key, queuedBefore));
          }
          return result;
        }
        networkFailed(nanos, "put of " + key + " reached no peer");
      } catch (RecordRejectedException e) {
        throw e;
      } catch (RuntimeException e) {
        networkFailed(System.nanoTime() - start, "put of " + key + " failed: " + e.getMessage());
      }
    } else {
      keepOnThisNode(key, value);
    }
    pending.add(Kind.VALUE, key);
    return new PutResult(1, config.targetReplicas());
  }

  /**
   * While the network is out of use, the value also goes into the network backend's own record
   * store (not to peers): peers that join read it from this node at once, and replication counts
   * this node's copy. The local backend already holds it durably, so a failure here is only logged.
   */
  private void keepOnThisNode(String key, byte[] value) {
    try {
      network.storeOnThisNode(key, value);
    } catch (RecordRejectedException e) {
      throw e;
    } catch (RuntimeException e) {
      log.debug("failed to keep {} in the network record store: {}", key, e.toString());
    }
  }

  /**
   * Makes {@code value} this node's copy in both backends (the local one and the network's own).
   */
  @Override
  public boolean storeOnThisNode(String key, byte[] value) {
    ensureOpen();
    onLocal(() -> local.putValue(key, value));
    keepOnThisNode(key, value);
    return true;
  }

  private boolean reachedNetwork(PutResult result) {
    return result.replicas() >= Math.min(2, result.targetReplicas());
  }

  /**
   * The network's value while it is active, else the local one; a local miss while the network is
   * out of use but knows a peer (not pinned to local) still asks the network before answering
   * absent, so a node never answers 404 for content the network holds.
   */
  @Override
  public Optional<byte[]> getValue(String key) {
    ensureOpen();
    boolean asked = false;
    if (networkActive()) {
      asked = true;
      Optional<byte[]> found = onNetwork(() -> network.getValue(key), "get " + key);
      if (found != null && found.isPresent()) {
        return found;
      }
    }
    Optional<byte[]> found = onLocal(() -> local.getValue(key));
    if (found.isPresent() || asked || selection == Selection.LOCAL || !networkReady()) {
      return found;
    }
    Optional<byte[]> remote = onNetwork(() -> network.getValue(key), "get " + key);
    return remote != null ? remote : found;
  }

  @Override
  public boolean deleteValue(String key) {
    ensureOpen();
    boolean deleted = onLocal(() -> local.deleteValue(key));
    Boolean networkDeleted = onNetwork(() -> network.deleteValue(key), "delete " + key);
    pending.remove(Kind.VALUE, key);
    return deleted || Boolean.TRUE.equals(networkDeleted);
  }

  @Override
  public void provide(String key) {
    ensureOpen();
    onLocal(
        () -> {
          local.provide(key);
          return null;
        });
    if (networkActive()) {
      Boolean ok =
          onNetwork(
              () -> {
                network.provide(key);
                return Boolean.TRUE;
              },
              "provide " + key);
      if (ok != null) {
        return;
      }
    }
    pending.add(Kind.PROVIDE, key);
  }

  @Override
  public List<Provider> findProviders(String key, int count) {
    ensureOpen();
    if (networkActive()) {
      List<Provider> found =
          onNetwork(() -> network.findProviders(key, count), "find providers " + key);
      if (found != null && !found.isEmpty()) {
        return found;
      }
    }
    return onLocal(() -> local.findProviders(key, count));
  }

  /**
   * The network's node state (peer id, addresses, routing table) named {@code hybrid}; the local
   * backend's when the network cannot say.
   */
  @Override
  public BackendStats stats() {
    ensureOpen();
    BackendStats s;
    try {
      s = network.stats();
    } catch (RuntimeException e) {
      s = local.stats();
    }
    return new BackendStats(
        NAME,
        s.peerId(),
        s.listenAddrs(),
        s.mode(),
        s.bootstrapped(),
        s.totalPeers(),
        s.totalKeys(),
        s.routingTableSize(),
        s.uptimeSeconds());
  }

  // ---------------------------------------------------------------- pushing back

  /**
   * One push round, if the network is active, nothing else is pushing and the backoff has passed.
   * Reads the queue in batches and stops at the first failed push.
   */
  public DrainResult drainNow() {
    if (closed
        || !networkActive()
        || clock.millis() < nextDrainAtMillis
        || pending.size() == 0
        || !draining.compareAndSet(false, true)) {
      return new DrainResult(0, 0, 0, false);
    }
    int ok = 0;
    int failed = 0;
    int dropped = 0;
    try {
      Entry after = null;
      while (!closed && networkActive()) {
        List<Entry> batch = pending.batch(after, config.drainBatch());
        if (batch.isEmpty()) {
          break;
        }
        List<Future<PushOutcome>> futures = new ArrayList<>(batch.size());
        for (Entry e : batch) {
          futures.add(pushers.submit(() -> push(e)));
        }
        for (Future<PushOutcome> f : futures) {
          switch (await(f)) {
            case PUSHED -> ok++;
            case DROPPED -> dropped++;
            case FAILED -> failed++;
          }
        }
        if (failed > 0 || batch.size() < config.drainBatch()) {
          break;
        }
        after = batch.get(batch.size() - 1);
      }
    } finally {
      draining.set(false);
    }
    if (failed > 0) {
      long next =
          backoffMillis == 0
              ? config.retryBackoff().toMillis()
              : Math.min(backoffMillis * 2, config.maxRetryBackoff().toMillis());
      backoffMillis = next;
      nextDrainAtMillis = clock.millis() + next;
      log.warn("{} pushes failed; next push round in {} ms", failed, next);
    } else {
      backoffMillis = 0;
    }
    if (ok + dropped > 0) {
      log.info(
          "pushed {} queued entries to the network ({} dropped, {} left)",
          ok,
          dropped,
          pending.size());
    }
    return new DrainResult(ok, failed, dropped, true);
  }

  private enum PushOutcome {
    PUSHED,
    DROPPED,
    FAILED
  }

  private PushOutcome await(Future<PushOutcome> f) {
    try {
      return f.get(config.pushTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      return PushOutcome.FAILED;
    } catch (ExecutionException | TimeoutException e) {
      f.cancel(true);
      networkFailed(config.pushTimeout().toNanos(), "push failed: " + e);
      return PushOutcome.FAILED;
    }
  }

  private PushOutcome push(Entry entry) {
    if (entry.kind() == Kind.PROVIDE) {
      long start = System.nanoTime();
      try {
        network.provide(entry.key());
      } catch (RuntimeException e) {
        networkFailed(System.nanoTime() - start, "push of provide " + entry.key() + ": " + e);
        return PushOutcome.FAILED;
      }
      networkHealth.success(System.nanoTime() - start);
      pending.removeIfUnchanged(entry);
      pushed.incrementAndGet();
      return PushOutcome.PUSHED;
    }
    Optional<byte[]> value = onLocal(() -> local.getValue(entry.key()));
    if (value.isEmpty()) {
      pending.removeIfUnchanged(entry);
      return PushOutcome.DROPPED;
    }
    long start = System.nanoTime();
    PutResult result;
    try {
      result = network.putValue(entry.key(), value.get());
    } catch (RecordRejectedException e) {
      pushRejected.incrementAndGet();
      pending.removeIfUnchanged(entry);
      log.warn(
          "network refused queued value {} ({}); it stays in the local backend only",
          entry.key(),
          e.getMessage());
      return PushOutcome.DROPPED;
    } catch (RuntimeException e) {
      networkFailed(System.nanoTime() - start, "push of " + entry.key() + ": " + e);
      return PushOutcome.FAILED;
    }
    long nanos = System.nanoTime() - start;
    if (!reachedNetwork(result) && !result.conflicting().isEmpty()) {
      networkHealth.success(nanos);
      pending.removeIfUnchanged(entry);
      log.info(
          "queued value {} not pushed: the network holds a newer one or another of its version",
          entry.key());
      return PushOutcome.DROPPED;
    }
    if (!reachedNetwork(result)) {
      networkFailed(nanos, "push of " + entry.key() + " reached no peer");
      return PushOutcome.FAILED;
    }
    networkHealth.success(nanos);
    pending.removeIfUnchanged(entry);
    pushed.incrementAndGet();
    return PushOutcome.PUSHED;
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs a local operation, recording its health; its exceptions propagate. */
  private <T> T onLocal(Supplier<T> op) {
    long start = System.nanoTime();
    try {
      T result = op.get();
      localHealth.success(System.nanoTime() - start);
      return result;
    } catch (RecordRejectedException e) {
      localHealth.success(System.nanoTime() - start);
      throw e;
    } catch (RuntimeException e) {
      localHealth.failure(System.nanoTime() - start, e.getMessage(), clock.instant());
      throw e;
    }
  }

  /**
   * Runs a network operation, recording its health; a failure is counted and gives {@code null}. A
   * refused record propagates.
   */
  private <T> T onNetwork(Supplier<T> op, String what) {
    long start = System.nanoTime();
    try {
      T result = op.get();
      networkHealth.success(System.nanoTime() - start);
      return result;
    } catch (RecordRejectedException e) {
      throw e;
    } catch (RuntimeException e) {
      networkFailed(System.nanoTime() - start, what + " failed: " + e.getMessage());
      return null;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new DhtBackendException("hybrid backend is closed");
    }
  }

  /** Stops pushing, then closes the network backend, the local backend and the queue. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    drainer.shutdownNow();
    pushers.shutdownNow();
    try {
      network.close();
    } finally {
      try {
        local.close();
      } finally {
        pending.close();
      }
    }
  }

  /**
   * The production probe for a {@link NetworkDht}: when the routing table is empty, bootstrap again
   * through {@code bootstrapPeers}; then a lookup of a random key must find at least one live peer.
   * Each step waits at most {@code timeout}.
   */
  public static NetworkProbe networkProbe(
      NetworkDht network, List<Multiaddr> bootstrapPeers, Duration timeout) {
    List<Multiaddr> peers = List.copyOf(bootstrapPeers);
    SecureRandom random = new SecureRandom();
    return new NetworkProbe() {
      @Override
      public boolean canJoin() {
        return !peers.isEmpty();
      }

      @Override
      public boolean reachable(DhtBackend ignored) throws Exception {
        if (network.stats().routingTableSize() == 0) {
          if (peers.isEmpty()) {
            return false;
          }
          int size =
              network.bootstrap(peers).get(timeout.toMillis(), TimeUnit.MILLISECONDS).intValue();
          if (size == 0) {
            return false;
          }
        }
        byte[] key = new byte[32];
        random.nextBytes(key);
        String probeKey = "/CHORUS/probe/" + java.util.HexFormat.of().formatHex(key);
        return !network
            .dht()
            .getClosestPeers(probeKey.getBytes(StandardCharsets.UTF_8))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .isEmpty();
      }
    };
  }

  /** Health counters of one backend; guarded by its own lock. */
  private final class Tracker {
    private final String name;
    private long operations;
    private long errors;
    private long consecutiveFailures;
    private String lastError;
    private Instant lastErrorAt;
    private double latencyMillis = -1;

    Tracker(String name) {
      this.name = name;
    }

    synchronized void success(long nanos) {
      operations++;
      consecutiveFailures = 0;
      latency(nanos);
    }

    synchronized void failure(long nanos, String error, Instant at) {
      operations++;
      errors++;
      consecutiveFailures++;
      lastError = error;
      lastErrorAt = at;
      latency(nanos);
    }

    synchronized long consecutiveFailures() {
      return consecutiveFailures;
    }

    synchronized Status status() {
      if (consecutiveFailures == 0) {
        return Status.UP;
      }
      return consecutiveFailures < config.failureThreshold() ? Status.DEGRADED : Status.DOWN;
    }

    private void latency(long nanos) {
      double ms = nanos / 1_000_000.0;
      latencyMillis = latencyMillis < 0 ? ms : EWMA_ALPHA * ms + (1 - EWMA_ALPHA) * latencyMillis;
    }

    synchronized BackendHealth snapshot(boolean active, Status status) {
      return new BackendHealth(
          name,
          active,
          status,
          operations,
          errors,
          consecutiveFailures,
          lastError,
          lastErrorAt,
          Math.max(0, latencyMillis));
    }
  }
}
