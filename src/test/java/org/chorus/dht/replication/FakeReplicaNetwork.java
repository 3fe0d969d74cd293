package org.chorus.dht.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory network for the manager's unit tests: named peers (closest first), each with its own
 * values; peers can go down; scans can be held back to observe the concurrency limit.
 */
final class FakeReplicaNetwork implements ReplicaNetwork {

  static final String SELF = "self";

  final List<String> peers = new ArrayList<>();
  final Set<String> down = ConcurrentHashMap.newKeySet();
  final Map<String, Map<String, byte[]>> held = new ConcurrentHashMap<>();
  final Set<String> provided = ConcurrentHashMap.newKeySet();
  final AtomicInteger provides = new AtomicInteger();
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger scans = new AtomicInteger();
  final AtomicInteger scansOpen = new AtomicInteger();
  final AtomicInteger maxScansOpen = new AtomicInteger();
  final ConcurrentLinkedQueue<Runnable> heldScans = new ConcurrentLinkedQueue<>();
  volatile boolean holdScans;

  FakeReplicaNetwork(int peerCount) {
    held.put(SELF, new ConcurrentHashMap<>());
    for (int i = 1; i <= peerCount; i++) {
      peers.add("peer-" + i);
      held.put("peer-" + i, new ConcurrentHashMap<>());
    }
  }

  void storeAt(String node, String key, byte[] value) {
    held.get(node).put(key, value);
  }

  boolean holds(String node, String key) {
    return held.get(node).containsKey(key);
  }

  /** Releases the {@code n} scans held longest (the scans they let start stay held). */
  void releaseScans(int n) {
    for (int i = 0; i < n; i++) {
      Runnable r = heldScans.poll();
      if (r == null) {
        throw new AssertionError("only " + i + " scans held, expected " + n);
      }
      r.run();
    }
  }

  /**
   * Waits until at least {@code n} scans are held (the manager starts them on its own worker
   * thread, after {@code tick()} has returned).
   *
   * @throws AssertionError if they are not held within 30 s
   */
  synchronized void awaitHeldScans(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (heldScans.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(heldScans.size() + " scans held, expected " + n);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private synchronized void hold(Runnable answer) {
    heldScans.add(answer);
    notifyAll();
  }

  @Override
  public String backend() {
    return "fake";
  }

  @Override
  public String self() {
    return SELF;
  }

  @Override
  public CompletableFuture<Scan> scan(String key) {
    scans.incrementAndGet();
    int open = scansOpen.incrementAndGet();
    maxScansOpen.accumulateAndGet(open, Math::max);
    CompletableFuture<Scan> f = new CompletableFuture<>();
    Runnable answer =
        () -> {
          scansOpen.decrementAndGet();
          f.complete(doScan(key));
        };
    if (holdScans) {
      hold(answer);
    } else {
      answer.run();
    }
    return f;
  }

  private Scan doScan(String key) {
    byte[] value = null;
    Set<String> holders = new HashSet<>();
    List<String> live = new ArrayList<>();
    for (String p : peers) {
      if (!down.contains(p)) {
        live.add(p);
      }
    }
    List<String> all = new ArrayList<>(live);
    all.add(SELF);
    for (String n : all) {
      byte[] v = held.get(n).get(key);
      if (v != null) {
        value = v;
        holders.add(n);
      }
    }
    return new Scan(Optional.ofNullable(value), holders, live);
  }

  @Override
  public CompletableFuture<Integer> putTo(String key, byte[] value, List<String> to) {
    int ok = 0;
    for (String p : to) {
      puts.incrementAndGet();
      if (!down.contains(p)) {
        held.get(p).put(key, value);
        ok++;
      }
    }
    return CompletableFuture.completedFuture(ok);
  }

  @Override
  public boolean storeLocal(String key, byte[] value) {
    held.get(SELF).put(key, value);
    return true;
  }

  @Override
  public CompletableFuture<Integer> provide(String key) {
    provides.incrementAndGet();
    provided.add(key);
    return CompletableFuture.completedFuture(1);
  }

  @Override
  public CompletableFuture<List<ProviderRecord>> providers(String key, int max) {
    return CompletableFuture.completedFuture(
        provided.contains(key)
            ? List.of(new ProviderRecord(SELF, List.of(), Optional.of(Instant.EPOCH), "00", 256))
            : List.of());
  }
}
