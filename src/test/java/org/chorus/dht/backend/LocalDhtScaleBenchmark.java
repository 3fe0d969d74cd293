package org.chorus.dht.backend;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * 100,000 values of 1.5 KiB in {@link LocalDht}: load time, file size, retained heap, read latency.
 * Not a test (the suite keeps one scale test, for the index); run under a small heap:
 *
 * <pre>
 * ./mvnw -q -o test-compile && java -Xmx64m -cp \
 *   target/test-classes:target/classes:$(cat target/classpath.txt) \
 *   org.chorus.dht.backend.LocalDhtScaleBenchmark
 * </pre>
 */
public final class LocalDhtScaleBenchmark {

  private LocalDhtScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    Path dir = Files.createTempDirectory(Path.of("target"), "dht-scale");
    long heapBefore = usedHeapAfterGc();
    Random random = new Random(1);
    long start = System.nanoTime();
    try (LocalDht dht =
        LocalDht.open(LocalDhtConfig.builder(dir, "bench").build(), Clock.systemUTC())) {
      Map<String, byte[]> batch = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        byte[] value = new byte[1536];
        random.nextBytes(value);
        batch.put(key(i), value);
        if (batch.size() == 5_000) {
          dht.putValues(batch);
          batch.clear();
        }
      }
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      long heapLoaded = usedHeapAfterGc();
      double[] micros = new double[2000];
      for (int i = 0; i < micros.length; i++) {
        long t = System.nanoTime();
        dht.getValue(key(random.nextInt(n))).orElseThrow();
        micros[i] = (System.nanoTime() - t) / 1e3;
      }
      Arrays.sort(micros);
      long t = System.nanoTime();
      dht.putValue(key(n + 1), new byte[1536]);
      double singlePutMillis = (System.nanoTime() - t) / 1e6;
      System.out.printf(
          "dht scale: %,d values of 1.5 KiB loaded in %.1f s (%,.0f/s); totalKeys %,d;"
              + " retained heap %.1f MiB (max heap %.0f MiB); random get median %.0f us, p99 %.0f us;"
              + " one durable put %.1f ms%n",
          n,
          loadSeconds,
          n / loadSeconds,
          dht.stats().totalKeys(),
          (heapLoaded - heapBefore) / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0,
          micros[micros.length / 2],
          micros[micros.length * 99 / 100],
          singlePutMillis);
    }
    System.out.printf(
        "dht scale: file after close %.1f MiB%n",
        Files.size(dir.resolve(LocalDhtConfig.FILE_NAME)) / 1048576.0);
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  private static String key(int i) {
    return "/CHORUS/ucxl/key-" + i;
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
