package org.chorus.dht.replication;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.testing.NetworkNodes;

/**
 * One full "reprovide all now" pass of a {@link ReplicationManager} over a real loopback cluster,
 * run by {@code bench/replication.sh}. Not a test: it prints a table.
 *
 * <p>{@code nodes} {@link NetworkDht}s in one JVM, built as the network backend builds them
 * (loopback TCP with Noise + Yamux, persistent MVStore stores, the CHORUS validators, production k
 * = 20). Node 0 holds {@code keys} signed UCXL envelopes in its own record store and tracks them in
 * a {@link ReplicationManager} (factor 3, persistent state store). The timed pass is {@link
 * ReplicationManager#reprovideAll()} plus {@link ReplicationManager#runDue()}: per key a holders
 * scan (full lookup with GET_VALUE), the republish (PUT_VALUE to the k closest) and the reprovide
 * (lookup of the provider key and ADD_PROVIDER to its k closest). Meanwhile a probe thread times
 * the API-facing calls every 100 ms: {@code state(key)} plus {@code metrics()} (what {@code GET
 * /api/v1/replication} reads) and a full network {@code status(key)}.
 *
 * <p>Args: {@code [keys=100000] [nodes=20] [concurrency=5] [limitMinutes=20]}; concurrency is
 * {@link ReplicationConfig#maxConcurrentReplications()} (production default 5). A pass still
 * running after {@code limitMinutes} is reported as partial with the rate measured so far.
 */
public final class ReplicationClusterBench {

  private ReplicationClusterBench() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int concurrency =
        args.length > 2
            ? Integer.parseInt(args[2])
            : ReplicationConfig.DEFAULT_MAX_CONCURRENT_REPLICATIONS;
    long limitMinutes = args.length > 3 ? Long.parseLong(args[3]) : 20;
    System.out.printf(
        "replication cluster bench: keys=%d nodes=%d k=%d factor=3 concurrency=%d, java %s,"
            + " %d cpus, max heap %d MiB, load %s%n",
        keys,
        n,
        NetworkNodes.KAD.k(),
        concurrency,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        loadAverage());
    Path root = Files.createTempDirectory("replication-bench-");
    List<NetworkDht> nodes = new ArrayList<>();
    try {
      long t0 = System.nanoTime();
      NetworkNodes.startCluster(root, n, NetworkNodes.KAD, nodes, Duration.ofSeconds(30));
      CompletableFuture.allOf(
              nodes.stream().map(NetworkDht::refresh).toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
      System.out.printf("%d nodes up in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
      run(root, nodes, keys, concurrency, limitMinutes);
    } finally {
      nodes.forEach(NetworkNodes::closeQuietly);
      deleteTree(root);
    }
    System.out.printf("load at the end %s%n", loadAverage());
    System.exit(0);
  }

  static void run(Path root, List<NetworkDht> nodes, int n, int concurrency, long limitMinutes)
      throws Exception {
    NetworkDht writer = nodes.get(0);
    List<String> keys = new ArrayList<>(n);
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> stored = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String address = "ucxl://agent-0/qa_engineer/replication-bench/task/item-" + i + ".txt";
        String key = NetworkNodes.key(address);
        keys.add(key);
        stored.add(
            pool.submit(
                () ->
                    writer
                        .dht()
                        .storeLocal(
                            key.getBytes(StandardCharsets.UTF_8),
                            NetworkNodes.envelope(address, "bench item " + key))));
      }
      for (Future<Boolean> f : stored) {
        if (!f.get(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("local store refused a bench item");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    long storeMs = (System.nanoTime() - t0) / 1_000_000;

    ReplicationConfig config =
        ReplicationConfig.builder().maxConcurrentReplications(concurrency).build();
    try (ReplicationStateStore store =
            ReplicationStateStore.open(
                root.resolve("node-0-replication").resolve(ReplicationStateStore.FILE_NAME));
        ReplicationManager manager =
            new ReplicationManager(
                config, new KadReplicaNetwork(writer), store, Clock.systemUTC(), 3)) {
      t0 = System.nanoTime();
      manager.addContents(keys);
      long registerMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "stored %d signed envelopes in node 0's record store in %d ms; registered in %d ms%n",
          n, storeMs, registerMs);

      System.gc();
      resetPeaks();
      t0 = System.nanoTime();
      int marked = manager.reprovideAll();
      long markMs = (System.nanoTime() - t0) / 1_000_000;
      CompletableFuture<Integer> pass = manager.runDue();
      Probe probe = new Probe(manager, keys);
      Thread probeThread = new Thread(probe, "bench-probe");
      probeThread.setDaemon(true);
      probeThread.start();
      long limit = System.nanoTime() + TimeUnit.MINUTES.toNanos(limitMinutes);
      long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean complete = false;
      while (System.nanoTime() < limit) {
        try {
          pass.get(1, TimeUnit.SECONDS);
          complete = true;
          break;
        } catch (TimeoutException e) {
          if (System.nanoTime() >= nextReport) {
            long done = manager.metrics().reprovides();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                "  ... %d of %d keys after %.0f s (%.1f keys/s), load %s%n",
                done, n, s, done / s, loadAverage());
            nextReport += TimeUnit.SECONDS.toNanos(30);
          }
        }
      }
      long passNanos = System.nanoTime() - t0;
      probe.stop = true;
      probeThread.join(30_000);
      ReplicationMetrics m = manager.metrics();
      long done = m.reprovides();
      double seconds = passNanos / 1e9;
      double rate = done / seconds;
      long peakHeap = peakHeap();

      System.out.println();
      System.out.printf("%-46s %s%n", "figure", "value");
      System.out.printf("%-46s %d%n", "keys tracked", m.keys());
      System.out.printf("%-46s %d ms%n", "reprovideAll() mark", markMs);
      System.out.printf(
          "%-46s %s%n", "pass", complete ? "complete" : "PARTIAL (stopped at the time limit)");
      System.out.printf("%-46s %d%n", "keys republished + reprovided", done);
      System.out.printf("%-46s %.1f s%n", "pass wall time", seconds);
      System.out.printf("%-46s %.1f%n", "keys/s", rate);
      System.out.printf(
          "%-46s %.0f s (%.1f min)%s%n",
          "time for 100,000 keys",
          100_000 / rate,
          100_000 / rate / 60,
          complete && n == 100_000 ? " measured" : " EXTRAPOLATED from this rate");
      System.out.printf(
          "%-46s %d MiB%n", "peak heap during the pass (sum of pool peaks)", peakHeap);
      System.out.printf(
          "%-46s under=%d critical=%d lost=%d in flight=%d lag=%d s%n",
          "after the pass",
          m.underReplicated(),
          m.critical(),
          m.lost(),
          m.inFlight(),
          m.reprovideLagSeconds());
      probe.print("state(key) + metrics()", probe.cheap);
      probe.print("status(key) (network scan + providers)", probe.status);
      System.out.printf("%-46s %s%n", "load average at the end of the pass", loadAverage());
      if (!complete) {
        manager.close(); // abandon the runs in flight
      }
      System.out.printf("marked %d keys%n", marked);
    }
  }

  /** Times the API-facing calls on a sampled key every 100 ms while the pass runs. */
  static final class Probe implements Runnable {
    final ReplicationManager manager;
    final List<String> keys;
    final List<Long> cheap = new ArrayList<>();
    final List<Long> status = new ArrayList<>();
    int failures;
    volatile boolean stop;

    Probe(ReplicationManager manager, List<String> keys) {
      this.manager = manager;
      this.keys = keys;
    }

    @Override
    public void run() {
      int i = 0;
      while (!stop) {
        String key = keys.get((int) ((i++ * 7919L) % keys.size()));
        long s = System.nanoTime();
        manager.state(key);
        manager.metrics();
        cheap.add(System.nanoTime() - s);
        if (i % 5 == 0) {
          s = System.nanoTime();
          try {
            manager.status(key).get(60, TimeUnit.SECONDS);
            status.add(System.nanoTime() - s);
          } catch (Exception e) {
            failures++;
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void print(String name, List<Long> nanos) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        System.out.printf("%-46s no samples%n", name);
        return;
      }
      System.out.printf(
          "%-46s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%s%n",
          name,
          sorted.length,
          pct(sorted, 50) / 1e6,
          pct(sorted, 99) / 1e6,
          sorted[sorted.length - 1] / 1e6,
          name.startsWith("status") && failures > 0 ? " failures=" + failures : "");
    }

    static long pct(long[] sorted, int p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }

  static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum >> 20;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join(" ", Arrays.asList(f).subList(0, 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
