package org.chorus.dht.kad.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of a {@link Dht} node: the periodic jobs that join it to the network and keep its
 * routing table useful (go-libp2p-kad-dht's bootstrap, refresh manager and random walk, as one
 * small scheduler). Jobs, each with an interval in {@link MaintenanceConfig}:
 *
 * <ul>
 *   <li>{@value #AUTO_BOOTSTRAP}: at once, then every {@code autoBootstrapInterval} while the
 *       routing table is empty, dials the bootstrap addresses (with or without {@code /p2p}; DNS
 *       addresses are resolved by the host) and runs the self-lookup ({@link Dht#bootstrap}); a run
 *       that leaves the table empty fails. It resumes by itself if the table empties again.
 *   <li>{@value #DISCOVERY}: a lookup of a random key (random walk), so the table learns peers
 *       beyond the bootstrap peers' neighbourhood.
 *   <li>{@value #REFRESH}: {@link Dht#refresh()} (self-lookup and buckets not refreshed lately).
 *   <li>{@value #STALE_PEERS}: routing-table peers without a successful exchange within {@code
 *       stalePeerTimeout} get a kad PING; those that do not answer are evicted ({@link Dht#evict}:
 *       the replacement cache refills the bucket, the peer-store entry of a disconnected peer is
 *       dropped), at most {@code maxStalePingsPerRun} per run.
 *   <li>{@value #EXPIRE}: the expiry sweep of the local stores, when one is given.
 * </ul>
 *
 * <p>A job never overlaps itself (a tick while the previous run is still going is counted as
 * skipped), a run is bounded by {@code jobTimeout}, and failures are logged and counted, never
 * thrown into the scheduler. The jobs that need peers do nothing while the table is empty. {@link
 * #stats()} exposes runs, failures and the last success of each job.
 *
 * <p>Thread-safe. Runs on a {@link ScheduledExecutorService} it is given (and does not shut down)
 * or owns (one daemon thread, shut down by {@link #close()}); the jobs' I/O runs on the host's
 * event loops. Close it before the {@link Dht}.
 */
public final class DhtMaintenance implements AutoCloseable {

  public static final String AUTO_BOOTSTRAP = "auto-bootstrap";
  public static final String DISCOVERY = "discovery";
  public static final String REFRESH = "refresh";
  public static final String STALE_PEERS = "stale-peers";
  public static final String EXPIRE = "expire";

  private static final Logger log = LoggerFactory.getLogger(DhtMaintenance.class);

  /**
   * What one job has done since {@link #start()}.
   *
   * @param job the job's name, e.g. {@value #DISCOVERY}
   * @param runs runs started (a run with nothing to do counts)
   * @param failures runs that failed or timed out
   * @param skipped ticks dropped because the previous run was still going
   * @param lastSuccess end of the last successful run, empty before the first
   */
  public record JobStats(
      String job, long runs, long failures, long skipped, Optional<Instant> lastSuccess) {}

  private final Dht dht;
  private final List<Multiaddr> bootstrapPeers;
  private final MaintenanceConfig config;
  private final Runnable expirySweep;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final List<Job> jobs = new ArrayList<>();
  private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
  private boolean started;
  private volatile boolean closed;

  /**
   * @param dht the started Dht to look after
   * @param bootstrapPeers addresses dialled while the table is empty; may be empty (the node then
   *     waits for peers to connect)
   * @param config intervals; validated here
   * @param expirySweep drops expired local records and providers; {@code null} for no such job
   * @param scheduler runs the ticks; {@code null} to own a single daemon thread
   * @param clock for {@link JobStats#lastSuccess()}
   */
  public DhtMaintenance(
      Dht dht,
      List<Multiaddr> bootstrapPeers,
      MaintenanceConfig config,
      Runnable expirySweep,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.dht = Objects.requireNonNull(dht, "dht");
    this.bootstrapPeers = List.copyOf(bootstrapPeers);
    this.config = config.validate();
    this.expirySweep = expirySweep;
    this.ownsScheduler = scheduler == null;
    this.scheduler = scheduler != null ? scheduler : newDaemonScheduler();
    this.clock = Objects.requireNonNull(clock, "clock");
    jobs.add(new Job(AUTO_BOOTSTRAP, Duration.ZERO, config.autoBootstrapInterval(), this::boot));
    addIfEnabled(DISCOVERY, config.discoveryInterval(), this::discover);
    addIfEnabled(REFRESH, config.refreshInterval(), this::refresh);
    addIfEnabled(STALE_PEERS, config.staleCheckInterval(), this::cleanStale);
    if (expirySweep != null) {
      addIfEnabled(EXPIRE, config.expireInterval(), this::expire);
    }
  }

  /** As the full constructor with an owned scheduler, no expiry job and the system clock. */
  public DhtMaintenance(Dht dht, List<Multiaddr> bootstrapPeers, MaintenanceConfig config) {
    this(dht, bootstrapPeers, config, null, null, Clock.systemUTC());
  }

  private void addIfEnabled(String name, Duration interval, Supplier<CompletableFuture<?>> body) {
    if (!interval.isZero()) {
      jobs.add(new Job(name, interval, interval, body));
    }
  }

  private static ScheduledExecutorService newDaemonScheduler() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "kad-maintenance");
          t.setDaemon(true);
          return t;
        });
  }

  /** Schedules every job; the auto-bootstrap runs at once. Idempotent. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    if (bootstrapPeers.isEmpty()) {
      log.info("no bootstrap peers configured: waiting for peers to connect");
    }
    for (Job job : jobs) {
      scheduled.add(
          scheduler.scheduleWithFixedDelay(
              job::tick,
              job.initialDelay.toMillis(),
              job.interval.toMillis(),
              TimeUnit.MILLISECONDS));
    }
  }

  /** Cancels the jobs (runs in flight finish on their own) and stops an owned scheduler. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduled.forEach(f -> f.cancel(false));
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** The counters of every enabled job, in a fixed order. */
  public List<JobStats> stats() {
    return jobs.stream().map(Job::stats).toList();
  }

  /** The counters of one job; empty when it is disabled or unknown. */
  public Optional<JobStats> stats(String job) {
    return jobs.stream().filter(j -> j.name.equals(job)).findFirst().map(Job::stats);
  }

  // ---- job bodies: each returns the run's completion, never throws for an expected outcome ----

  private CompletableFuture<?> boot() {
    if (bootstrapPeers.isEmpty() || dht.routingTable().size() > 0) {
      return CompletableFuture.completedFuture(null);
    }
    return dht.bootstrap(bootstrapPeers)
        .thenAccept(
            size -> {
              if (size == 0) {
                throw new IllegalStateException("reached none of " + bootstrapPeers);
              }
              log.info("kad bootstrap done: {} peers in the routing table", size);
            });
  }

  private CompletableFuture<?> discover() {
    if (dht.routingTable().size() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return dht.getClosestPeers(randomKey())
        .thenAccept(
            found ->
                log.debug(
                    "kad random walk found {} peers; routing table {}",
                    found.size(),
                    dht.routingTable().size()));
  }

  /** A random sha2-256 multihash: the key space is uniform, so any 32 random bytes will do. */
  private static byte[] randomKey() {
    byte[] mh = new byte[34];
    ThreadLocalRandom.current().nextBytes(mh);
    mh[0] = 0x12;
    mh[1] = 0x20;
    return mh;
  }

  private CompletableFuture<?> refresh() {
    if (dht.routingTable().size() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return dht.refresh();
  }

  private CompletableFuture<?> cleanStale() {
    List<PeerId> stale = dht.peersNotSeenWithin(config.stalePeerTimeout());
    if (stale.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<PeerId> batch = stale.subList(0, Math.min(stale.size(), config.maxStalePingsPerRun()));
    AtomicInteger evicted = new AtomicInteger();
    CompletableFuture<?>[] pings =
        batch.stream()
            .map(
                p ->
                    dht.ping(p)
                        .thenAccept(
                            alive -> {
                              if (!alive && dht.evict(p)) {
                                evicted.incrementAndGet();
                              }
                            }))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(pings)
        .thenRun(
            () -> {
              if (evicted.get() > 0) {
                log.info(
                    "kad stale-peer check: evicted {} of {} silent peers",
                    evicted.get(),
                    batch.size());
              }
            });
  }

  private CompletableFuture<?> expire() {
    expirySweep.run();
    return CompletableFuture.completedFuture(null);
  }

  /** One periodic job: no overlap, bounded runs, counters. */
  private final class Job {
    final String name;
    final Duration initialDelay;
    final Duration interval;
    final Supplier<CompletableFuture<?>> body;
    final AtomicBoolean running = new AtomicBoolean();
    final AtomicLong runs = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong failuresInARow = new AtomicLong();
    final AtomicReference<Instant> lastSuccess = new AtomicReference<>();

    Job(
        String name,
        Duration initialDelay,
        Duration interval,
        Supplier<CompletableFuture<?>> body) {
      this.name = name;
      this.initialDelay = initialDelay;
      this.interval = interval;
      this.body = body;
    }

    /** Called by the scheduler; never throws (an exception would cancel the schedule). */
    void tick() {
      if (closed) {
        return;
      }
      if (!running.compareAndSet(false, true)) {
        skipped.incrementAndGet();
        return;
      }
      runs.incrementAndGet();
      CompletableFuture<?> run;
      try {
        run = body.get().copy();
      } catch (RuntimeException e) {
        run = CompletableFuture.failedFuture(e);
      }
      run.orTimeout(config.jobTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (v, e) -> {
                try {
                  if (e == null) {
                    succeeded();
                  } else {
                    failed(e);
                  }
                } finally {
                  running.set(false);
                }
              });
    }

    private void succeeded() {
      lastSuccess.set(clock.instant());
      failuresInARow.set(0);
    }

    private void failed(Throwable e) {
      failures.incrementAndGet();
      Throwable cause =
          e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause()
              : e;
      // the first failure of a streak is a warning; repeats (an unreachable bootstrap peer every
      // 30 s) would flood the log
      if (failuresInARow.incrementAndGet() == 1) {
        log.warn("kad {} failed: {}", name, cause.toString());
      } else {
        log.debug("kad {} failed ({} in a row): {}", name, failuresInARow.get(), cause.toString());
      }
    }

    JobStats stats() {
      return new JobStats(
          name, runs.get(), failures.get(), skipped.get(), Optional.ofNullable(lastSuccess.get()));
    }
  }
}
