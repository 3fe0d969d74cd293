package org.chorus.dht.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.replication.ReplicaNetwork.ProviderRecord;
import org.chorus.dht.replication.ReplicaNetwork.Scan;
import org.chorus.dht.replication.ReplicationStatus.ProviderStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every stored key at its replication factor and alive past the 48 h record expiry.
 *
 * <p><b>State.</b> Each tracked key has a durable {@link KeyState} in the {@link
 * ReplicationStateStore}: target, last replicated and reprovided, next due time, failures.
 *
 * <p><b>Schedule.</b> Each key has a fixed phase in {@link ReplicationConfig#reprovideInterval()}
 * (from a hash of the key), and is due at its phase once per interval (the first time at least half
 * an interval after it was stored or republished, so gaps stay between 0.5 and 1.5 intervals).
 * 100,000 keys stored at once are therefore spread evenly over the interval. {@link #tick()}
 * (called every {@link ReplicationConfig#tickInterval()}) takes the due keys from the store's
 * due-time index, at most {@link ReplicationConfig#maxConcurrentReplications()} in flight, claims
 * each (its due time moves {@link #LEASE} ahead, so a crash mid-run retries it) and runs it
 * asynchronously; the tick returns at once and never blocks the API. Due times are in the store, so
 * a restart resumes the schedule.
 *
 * <p><b>A run</b> asks the network who holds the key ({@link ReplicaNetwork#scan}): the live
 * replica count is the number of nodes that returned the current value. It restores the local copy
 * if this node lost it; republishes (re-PUT to the k closest, refreshing their expiry) when the
 * key's slot came; announces this node as provider when due; and if fewer than the target hold the
 * value, repairs: sends it to the closest live peers not holding it, a few at a time, until the
 * target is met or no candidate is left. A run that ends below target is retried after an
 * exponential backoff ({@link ReplicationConfig#repairBackoff()} doubling to {@link
 * ReplicationConfig#maxRepairBackoff()}). See {@link ReplicationHealth} for healthy / degraded /
 * critical.
 *
 * <p>For tests and operations: {@link #runDue()} runs everything due now to completion, {@link
 * #reprovideAll()} marks every key for republish now, {@link #repairUnderReplicated()} makes the
 * under-replicated keys due now.
 *
 * <p>Thread-safe. Owns one worker thread (bookkeeping and job starts; network I/O runs on the
 * backend's threads), stopped by {@link #close()}; the store is the caller's.
 */
public final class ReplicationManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicationManager.class);

  /** How long a claimed key stays claimed before a new run may take it (a stuck or lost run). */
  public static final Duration LEASE = Duration.ofMinutes(5);

  /** Keys per batch when walking every key (reprovide all, cleanup). */
  static final int PAGE = 1000;

  private final ReplicationConfig config;
  private final ReplicaNetwork network;
  private final ReplicationStateStore store;
  private final Clock clock;
  private final int target;
  private final ExecutorService worker;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean peersJoined =
      new java.util.concurrent.atomic.AtomicBoolean();
  private long lastJoinRepairMillis = -1; // guarded by this
  private final List<Drain> drains = new ArrayList<>();
  private final AtomicLong repairs = new AtomicLong();
  private final AtomicLong repairFailures = new AtomicLong();
  private final AtomicLong reprovides = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param target wanted copies of each key: {@link ReplicationConfig#factor()} on a network
   *     backend, 1 on the single-node one
   */
  public ReplicationManager(
      ReplicationConfig config,
      ReplicaNetwork network,
      ReplicationStateStore store,
      Clock clock,
      int target) {
    this.config = config.validate();
    this.network = Objects.requireNonNull(network, "network");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (target < 1) {
      throw new IllegalArgumentException("target must be at least 1");
    }
    this.target = target;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "chorus-replication");
              t.setDaemon(true);
              return t;
            });
  }

  public ReplicationConfig config() {
    return config;
  }

  /** Wanted copies of each key. */
  public int target() {
    return target;
  }

  // ---- content registration ----

  /**
   * Tracks {@code key} (stored just now by this node): durable when it returns. Its first run, due
   * at once, announces this node as provider and counts the replicas; republish comes at the key's
   * slot.
   *
   * @throws IllegalStateException if {@link ReplicationConfig#maxKeys()} keys are tracked
   */
  public KeyState addContent(String key) {
    return addContent(key, -1);
  }

  /** As {@link #addContent(String)}, recording the copies the store reached. */
  public KeyState addContent(String key, DhtBackend.PutResult put) {
    return addContent(key, put.replicas());
  }

  /**
   * Tracks the tombstone now stored under {@code key} (a delete): kept at its factor and
   * republished like content until {@code forgetAt}, then forgotten by {@link #cleanup()} (its
   * copies expire on the network 48 h later), so every node learns of the delete first.
   */
  public KeyState addTombstone(String key, DhtBackend.PutResult put, java.time.Instant forgetAt) {
    KeyState state = addContent(key, put.replicas()).withForgetAt(forgetAt.toEpochMilli());
    store.put(state, true);
    return state;
  }

  /**
   * Tracks many keys (stored by this node) with one durable commit per {@value #PAGE}; for bulk
   * loads and tests. Keys already tracked are re-registered.
   *
   * @throws IllegalStateException if the keys would pass {@link ReplicationConfig#maxKeys()}
   */
  public void addContents(List<String> keys) {
    long now = clock.millis();
    for (int from = 0; from < keys.size(); from += PAGE) {
      List<String> page = keys.subList(from, Math.min(keys.size(), from + PAGE));
      if (store.size() + page.size() > config.maxKeys()) {
        throw new IllegalStateException(
            "failed to track " + page.size() + " keys: maxKeys " + config.maxKeys());
      }
      List<KeyState> states = new ArrayList<>(page.size());
      for (String key : page) {
        Optional<KeyState> old = store.get(key);
        states.add(
            new KeyState(
                key,
                target,
                old.map(KeyState::addedAt).orElse(now),
                now,
                old.map(KeyState::lastReprovided).orElse(0L),
                now,
                0,
                -1,
                false));
      }
      store.putAll(states, true);
    }
  }

  private KeyState addContent(String key, int reached) {
    Objects.requireNonNull(key, "key");
    long now = clock.millis();
    Optional<KeyState> old = store.get(key);
    if (old.isEmpty() && store.size() >= config.maxKeys()) {
      throw new IllegalStateException(
          "failed to track " + key + ": " + config.maxKeys() + " keys tracked (maxKeys)");
    }
    KeyState state =
        new KeyState(
            key,
            target,
            old.map(KeyState::addedAt).orElse(now),
            now,
            old.map(KeyState::lastReprovided).orElse(0L),
            now,
            0,
            reached,
            false);
    store.put(state, true);
    return state;
  }

  /** Stops tracking {@code key} (copies on the network expire on their own). */
  public boolean removeContent(String key) {
    return store.remove(key);
  }

  public Optional<KeyState> state(String key) {
    return store.get(key);
  }

  /**
   * Republishes and reprovides {@code key} now (and repairs it if under target), whatever its
   * schedule; completes with the live replica count after the run.
   */
  public CompletableFuture<Integer> provideContent(String key) {
    KeyState state =
        store
            .get(key)
            .orElseGet(() -> new KeyState(key, target, clock.millis(), 0, 0, 0, 0, -1, false))
            .withReprovideRequested(clock.millis());
    return launch(state);
  }

  /** Up to {@link ReplicationConfig#maxProvidersPerKey()} providers of {@code key}. */
  public CompletableFuture<List<ProviderRecord>> findProviders(String key) {
    return network.providers(key, config.maxProvidersPerKey());
  }

  // ---- status and metrics ----

  /**
   * The live status of {@code key}: asks the network who holds it and who provides it. Empty when
   * the key is neither tracked nor found anywhere. Records the count in the key's state; a key
   * found below target with no failed repair pending becomes due for repair at once.
   */
  public CompletableFuture<Optional<ReplicationStatus>> status(String key) {
    Optional<KeyState> state = store.get(key);
    return network
        .scan(key)
        .thenCompose(
            scan -> {
              if (state.isEmpty() && scan.value().isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<ReplicationStatus>empty());
              }
              return network
                  .providers(key, config.maxProvidersPerKey())
                  .exceptionally(e -> List.of())
                  .thenApply(providers -> Optional.of(status(key, state, scan, providers)));
            });
  }

  private ReplicationStatus status(
      String key, Optional<KeyState> state, Scan scan, List<ProviderRecord> providers) {
    Instant now = clock.instant();
    int actual = scan.value().isPresent() ? scan.holders().size() : 0;
    int want = state.map(KeyState::target).orElse(target);
    Set<String> answered = new HashSet<>(scan.closest());
    answered.add(network.self());
    List<ProviderStatus> list = new ArrayList<>();
    int healthy = 0;
    for (ProviderRecord p : providers) {
      boolean holds = scan.holders().contains(p.peerId());
      boolean seen = holds || answered.contains(p.peerId());
      double quality = holds ? 1.0 : seen ? 0.5 : 0.0;
      if (holds) {
        healthy++;
      }
      list.add(
          new ProviderStatus(
              p.peerId(),
              p.addresses(),
              p.addedAt().orElse(null),
              seen ? now : null,
              quality,
              p.xorDistance(),
              p.commonPrefixLength()));
    }
    list.sort((a, b) -> Integer.compare(b.commonPrefixLength(), a.commonPrefixLength()));
    Optional<KeyState> updated = state.map(s -> recordCount(s, actual, now.toEpochMilli()));
    return new ReplicationStatus(
        key,
        state.isPresent(),
        network.backend(),
        want,
        actual,
        scan.holders().stream().sorted().toList(),
        healthy,
        ReplicationHealth.of(actual, want).label(),
        instantOrNull(updated.map(KeyState::lastReplicated).orElse(0L)),
        instantOrNull(updated.map(KeyState::lastReprovided).orElse(0L)),
        updated.map(s -> Instant.ofEpochMilli(s.nextDue())).orElse(null),
        updated.map(KeyState::failures).orElse(0),
        list);
  }

  private KeyState recordCount(KeyState s, int actual, long now) {
    return store
        .update(
            s.key(),
            current -> {
              KeyState next = current.withLastActual(actual);
              if (config.autoReplication()
                  && actual < next.target()
                  && next.failures() == 0
                  && next.nextDue() > now) {
                next = next.withNextDue(now);
              }
              return next;
            })
        .orElse(s);
  }

  /** A snapshot of the counters and gauges. */
  public ReplicationMetrics metrics() {
    return new ReplicationMetrics(
        network.backend(),
        target,
        store.size(),
        store.underReplicated(),
        store.critical(),
        inFlight.get(),
        repairs.get(),
        repairFailures.get(),
        reprovides.get(),
        lost.get(),
        reprovideLagSeconds());
  }

  /** Seconds the earliest due key is overdue (0 when nothing is). For a health indicator. */
  public long reprovideLagSeconds() {
    long now = clock.millis();
    return store.earliestDue().map(d -> Math.max(0, (now - d) / 1000)).orElse(0L);
  }

  /** Keys tracked in the state store. For a health indicator. */
  public long trackedKeys() {
    return store.size();
  }

  /** Keys at one copy or none at their last count. For a health indicator. */
  public long criticalKeys() {
    return store.critical();
  }

  // ---- scheduling ----

  /**
   * Starts runs for due keys while fewer than {@link ReplicationConfig#maxConcurrentReplications()}
   * are in flight; returns how many it started. Does not wait for them. For a scheduler to call
   * every {@link ReplicationConfig#tickInterval()}.
   */
  public synchronized int tick() {
    if (closed) {
      return 0;
    }
    long now = clock.millis();
    if (peersJoined.get()
        && (lastJoinRepairMillis < 0
            || now - lastJoinRepairMillis >= config.repairBackoff().toMillis())) {
      peersJoined.set(false);
      lastJoinRepairMillis = now;
      worker.execute(this::repairUnderReplicated);
    }
    return startDue(now);
  }

  /**
   * New peers entered the routing table. At the next {@link #tick()} the keys below target at their
   * last count (everything stored while this node was alone, for one) become due, so they reach the
   * new closest peers without waiting out their repair backoff; at most once per {@link
   * ReplicationConfig#repairBackoff()}, so a cluster of joining nodes does not walk every key per
   * join. Returns at once: meant for a routing-table listener on an event loop.
   */
  public void peersJoined() {
    peersJoined.set(true);
  }

  private int startDue(long until) {
    int free = config.maxConcurrentReplications() - inFlight.get();
    if (free <= 0) {
      return 0;
    }
    List<KeyState> due = store.due(until, free);
    long lease = clock.millis() + LEASE.toMillis();
    for (KeyState s : due) {
      store.put(s.withNextDue(lease), false);
      launch(s);
    }
    return due.size();
  }

  /**
   * Runs every due key, within the concurrency limit, until none is due and none in flight;
   * completes with the number of runs that finished meanwhile. For tests and the "reprovide all
   * now" path.
   */
  public CompletableFuture<Integer> runDue() {
    Drain drain = new Drain();
    synchronized (this) {
      drains.add(drain);
    }
    worker.execute(this::pump);
    return drain.done;
  }

  /** Marks every tracked key for republish + reprovide now; returns how many. */
  public int reprovideAll() {
    long now = clock.millis();
    return eachPage(
        page -> {
          store.putAll(page.stream().map(s -> s.withReprovideRequested(now)).toList(), true);
          return page.size();
        });
  }

  /** Makes every key below target at its last count due now; returns how many. */
  public int repairUnderReplicated() {
    long now = clock.millis();
    return eachPage(
        page -> {
          List<KeyState> due =
              page.stream().filter(KeyState::underReplicated).map(s -> s.withNextDue(now)).toList();
          store.putAll(due, false);
          return due.size();
        });
  }

  /**
   * Drops the state of keys that nobody held at their last count and that were last replicated
   * longer than the 48 h record expiry ago (every copy has expired), and of tombstones past their
   * {@link KeyState#forgetAt()}; returns how many.
   */
  public int cleanup() {
    long now = clock.millis();
    long cutoff = now - ReplicationConfig.RECORD_EXPIRY.toMillis();
    return eachPage(
        page -> {
          int dropped = 0;
          for (KeyState s : page) {
            boolean gone = s.lastActual() == 0 && s.lastReplicated() < cutoff;
            if ((gone || s.forgotten(now)) && store.remove(s.key())) {
              dropped++;
            }
          }
          return dropped;
        });
  }

  /**
   * Walks every tracked key a page of {@value #PAGE} at a time (bounded memory for any number of
   * keys), handing each page to {@code action}; returns the sum of what it returned.
   */
  private int eachPage(ToIntFunction<List<KeyState>> action) {
    int total = 0;
    String after = null;
    while (true) {
      List<KeyState> page = store.page(after, PAGE);
      if (page.isEmpty()) {
        return total;
      }
      total += action.applyAsInt(page);
      after = page.get(page.size() - 1).key();
    }
  }

  /**
   * Starts due keys up to the concurrency limit (due by now, or by the latest open {@link
   * #runDue()}'s start), and completes the drains when nothing is due or in flight.
   */
  private synchronized void pump() {
    if (closed) {
      drains.forEach(d -> d.done.complete(d.finished.get()));
      drains.clear();
      return;
    }
    long until = clock.millis();
    startDue(until);
    if (inFlight.get() == 0 && !drains.isEmpty()) {
      drains.forEach(d -> d.done.complete(d.finished.get()));
      drains.clear();
    }
  }

  private CompletableFuture<Integer> launch(KeyState state) {
    inFlight.incrementAndGet();
    return CompletableFuture.supplyAsync(() -> state, worker)
        .thenCompose(this::run)
        .whenCompleteAsync(
            (v, e) -> {
              inFlight.decrementAndGet();
              if (e != null) {
                log.warn("replication run for {} failed: {}", state.key(), e.toString());
              }
              synchronized (this) {
                drains.forEach(d -> d.finished.incrementAndGet());
              }
              pump();
            },
            worker);
  }

  // ---- one run ----

  private CompletableFuture<Integer> run(KeyState state) {
    long started = clock.millis();
    long half = config.reprovideInterval().toMillis() / 2;
    boolean republish =
        config.reprovideEnabled()
            && (state.reprovideRequested() || started - state.lastReplicated() >= half);
    boolean provide =
        config.reprovideEnabled()
            && (state.reprovideRequested() || started - state.lastReprovided() >= half);
    String key = state.key();
    return network
        .scan(key)
        .thenComposeAsync(
            scan -> {
              if (scan.value().isEmpty()) {
                lost.incrementAndGet();
                log.warn("replication: no copy of {} found anywhere", key);
                return CompletableFuture.completedFuture(
                    finish(state, 0, false, false, started, false));
              }
              byte[] value = scan.value().get();
              Set<String> holders = new HashSet<>(scan.holders());
              // restore this node's copy if it lost it; a republish also refreshes its expiry
              if ((republish || !holders.contains(network.self()))
                  && network.storeLocal(key, value)) {
                holders.add(network.self());
              }
              List<String> holding = new ArrayList<>();
              List<String> missing = new ArrayList<>();
              for (String p : scan.closest()) {
                (holders.contains(p) ? holding : missing).add(p);
              }
              CompletableFuture<Integer> added;
              if (republish) {
                // refresh the holders' expiry and fill the rest of the k closest
                added =
                    network
                        .putTo(key, value, holding)
                        .exceptionally(e -> 0)
                        .thenCompose(x -> network.putTo(key, value, missing));
              } else if (config.autoReplication() && holders.size() < state.target()) {
                added = repair(key, value, missing, 0, state.target() - holders.size(), 0);
              } else {
                added = CompletableFuture.completedFuture(0);
              }
              CompletableFuture<Integer> provided =
                  provide
                      ? network.provide(key).exceptionally(e -> -1)
                      : CompletableFuture.completedFuture(-1);
              return added
                  .exceptionally(e -> 0)
                  .thenCombineAsync(
                      provided,
                      (n, p) -> {
                        if (!republish && n > 0) {
                          repairs.addAndGet(n);
                        }
                        int actual = holders.size() + n;
                        return finish(state, actual, republish, provide, started, n > 0);
                      },
                      worker);
            },
            worker)
        .exceptionallyCompose(
            e ->
                CompletableFuture.supplyAsync(
                    () -> finish(state, state.lastActual(), false, false, started, false), worker));
  }

  /** Sends to the next {@code need} candidates, again with the next ones for those that failed. */
  private CompletableFuture<Integer> repair(
      String key, byte[] value, List<String> candidates, int from, int need, int addedSoFar) {
    if (need <= 0 || from >= candidates.size()) {
      return CompletableFuture.completedFuture(addedSoFar);
    }
    int to = Math.min(candidates.size(), from + need);
    return network
        .putTo(key, value, candidates.subList(from, to))
        .thenCompose(
            accepted -> repair(key, value, candidates, to, need - accepted, addedSoFar + accepted));
  }

  private int finish(
      KeyState state,
      int actual,
      boolean republished,
      boolean provided,
      long started,
      boolean sent) {
    long now = clock.millis();
    if (republished || provided) {
      reprovides.incrementAndGet();
    }
    Optional<KeyState> before = store.get(state.key());
    Optional<KeyState> after =
        store.update(
            state.key(), current -> next(current, actual, republished, provided, sent, now));
    if (after.isEmpty()) {
      return actual; // removed meanwhile
    }
    if (!after.get().health().equals(ReplicationHealth.HEALTHY)) {
      repairFailures.incrementAndGet();
      if (after.get().critical() && !before.map(KeyState::critical).orElse(false)) {
        log.warn(
            "replication: {} is critical ({} live copies of {})",
            state.key(),
            actual,
            after.get().target());
      }
    }
    return actual;
  }

  private KeyState next(
      KeyState current, int actual, boolean republished, boolean provided, boolean sent, long now) {
    long lastReplicated = republished || sent ? now : current.lastReplicated();
    long lastReprovided = provided ? now : current.lastReprovided();
    long interval = config.reprovideInterval().toMillis();
    long slot = nextSlot(current.key(), Math.max(lastReplicated, lastReprovided) + interval / 2);
    if (!config.reprovideEnabled()) {
      slot = now + interval;
    }
    boolean ok = actual >= current.target();
    int failures = ok ? 0 : current.failures() + 1;
    long due = ok ? slot : Math.min(slot, now + backoff(failures));
    boolean requested = current.reprovideRequested() && !(republished && provided);
    return new KeyState(
        current.key(),
        current.target(),
        current.addedAt(),
        lastReplicated,
        lastReprovided,
        due,
        failures,
        actual,
        requested,
        current.forgetAt());
  }

  /** The repair retry delay after {@code failures} failed runs (1, 2, 4, ... times the base). */
  long backoff(int failures) {
    long base = config.repairBackoff().toMillis();
    long max = config.maxRepairBackoff().toMillis();
    int shift = Math.min(30, Math.max(0, failures - 1));
    return Math.min(max, base << shift);
  }

  /** The first time at or after {@code after} that is at {@code key}'s phase in the interval. */
  long nextSlot(String key, long after) {
    long interval = config.reprovideInterval().toMillis();
    long phase = phase(key, interval);
    return after + Math.floorMod(phase - after, interval);
  }

  static long phase(String key, long interval) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return Math.floorMod(ByteBuffer.wrap(h).getLong(), interval);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("failed to hash: SHA-256 missing", e);
    }
  }

  private static Instant instantOrNull(long millis) {
    return millis <= 0 ? null : Instant.ofEpochMilli(millis);
  }

  /** Stops the worker (runs in flight are abandoned; their keys come due again after the lease). */
  @Override
  public void close() {
    closed = true;
    worker.shutdown();
    try {
      if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      worker.shutdownNow();
    }
  }

  private static final class Drain {
    final AtomicInteger finished = new AtomicInteger();
    final CompletableFuture<Integer> done = new CompletableFuture<>();
  }
}
