package org.chorus.dht.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.testing.SteppingClock;

/**
 * 100,000 keys through the scheduler over the in-memory network: registration time, one full
 * "reprovide all now" pass at the concurrency limit, and status latency while that pass runs (the
 * API must not wait for the schedule). Not a test; run with:
 *
 * <pre>
 * ./mvnw -q -o test-compile && java -Xmx128m -cp \
 *   target/test-classes:target/classes:$(cat target/classpath.txt) \
 *   org.chorus.dht.replication.ReplicationScaleBenchmark
 * </pre>
 */
public final class ReplicationScaleBenchmark {

  private ReplicationScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path dir = Files.createTempDirectory(Path.of("target"), "replication-scale");
    SteppingClock clock = new SteppingClock();
    FakeReplicaNetwork net = new FakeReplicaNetwork(6);
    byte[] value = "v".getBytes(StandardCharsets.UTF_8);
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String key = "/CHORUS/ucxl/scale-" + i;
      keys.add(key);
      net.storeAt(FakeReplicaNetwork.SELF, key, value);
      net.storeAt("peer-1", key, value);
      net.storeAt("peer-2", key, value);
    }
    try (ReplicationStateStore store =
            ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME));
        ReplicationManager manager =
            new ReplicationManager(ReplicationConfig.DEFAULT, net, store, clock, 3)) {
      long t0 = System.nanoTime();
      manager.addContents(keys);
      long registered = System.nanoTime() - t0;
      manager.runDue().get(10, TimeUnit.MINUTES); // first runs (provide + count)

      clock.advance(Duration.ofHours(1));
      t0 = System.nanoTime();
      int marked = manager.reprovideAll();
      long markedNanos = System.nanoTime() - t0;
      t0 = System.nanoTime();
      CompletableFuture<Integer> pass = manager.runDue();
      long worst = 0;
      int probes = 0;
      long[] lat = new long[1 << 20];
      while (!pass.isDone()) {
        long s = System.nanoTime();
        manager.status(keys.get(probes % n)).get(10, TimeUnit.SECONDS);
        manager.metrics();
        long took = System.nanoTime() - s;
        worst = Math.max(worst, took);
        lat[probes % lat.length] = took;
        probes++;
      }
      int ran = pass.get();
      long passNanos = System.nanoTime() - t0;
      System.out.printf(
          "keys=%d register=%d ms (%d keys/s) reprovideAll mark=%d ms, pass=%d runs in %d ms"
              + " (%.0f keys/s at concurrency %d), status probes during pass=%d worst=%.1f ms,"
              + " lag after=%d s, file=%d KiB%n",
          n,
          registered / 1_000_000,
          n * 1_000_000_000L / Math.max(1, registered),
          markedNanos / 1_000_000,
          ran,
          passNanos / 1_000_000,
          ran * 1e9 / passNanos,
          manager.config().maxConcurrentReplications(),
          probes,
          worst / 1e6,
          manager.reprovideLagSeconds(),
          Files.size(dir.resolve(ReplicationStateStore.FILE_NAME)) / 1024);
      long[] sorted = java.util.Arrays.copyOf(lat, Math.min(probes, lat.length));
      java.util.Arrays.sort(sorted);
      System.out.printf(
          "marked=%d status p50=%.3f ms p99=%.3f ms p99.9=%.3f ms%n",
          marked,
          sorted[sorted.length / 2] / 1e6,
          sorted[(int) (sorted.length * 0.99)] / 1e6,
          sorted[(int) (sorted.length * 0.999)] / 1e6);
    }
  }
}
