package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.system.ChorusPrincipal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 stored items with default settings fit in {@code -Xmx512m}: stores them through {@link
 * EncryptedStorage} (no HTTP) with default settings, reads a sample back (filling the cache), then
 * reports heap use after a GC. Runs in its own surefire execution with {@code -Xmx512m} (tag {@code
 * memory}); the item count can be lowered with {@code -Dchorus.memory.items=N}.
 */
@Tag("memory")
@Tag("slow")
class StorageMemoryTest {

  private static final int ITEMS = Integer.getInteger("chorus.memory.items", 100_000);
  private static final int THREADS = 4;

  @TempDir Path dir;

  @Test
  void oneHundredThousandItemsFitInHalfAGigabyteHeap() throws Exception {
    long maxHeap = Runtime.getRuntime().maxMemory();
    assumeTrue(
        Boolean.getBoolean("chorus.memory.run") && maxHeap <= 600L << 20,
        "runs only in the -Xmx512m 'memory-100k' surefire execution (-DskipMemoryTest=false)");
    ChorusPrincipal caller = new ChorusPrincipal("bench", "qa_engineer", false);
    long started = System.nanoTime();
    try (StorageFixture fixture = new StorageFixture(dir, Ticker.systemTicker())) {
      AtomicInteger next = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        futures.add(
            pool.submit(
                () -> {
                  Random random = new Random();
                  byte[] content = new byte[256];
                  for (int i; (i = next.getAndIncrement()) < ITEMS; ) {
                    random.nextBytes(content);
                    fixture.storage.store(caller, address(i), content, "application/octet-stream");
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      double storeSeconds = (System.nanoTime() - started) / 1e9;

      long readStart = System.nanoTime();
      int reads = Math.min(ITEMS, 20_000);
      for (int i = 0; i < reads; i++) {
        assertThat(fixture.storage.retrieve(caller, address(i * (ITEMS / reads))).content())
            .hasSize(256);
      }
      double readSeconds = (System.nanoTime() - readStart) / 1e9;

      assertThat(fixture.backend.stats().totalKeys()).isEqualTo(ITEMS);
      assertThat(fixture.index.count()).isEqualTo(ITEMS);
      assertThat(fixture.audit.lines()).isEqualTo(ITEMS + reads);

      System.gc();
      Thread.sleep(200);
      System.gc();
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long peak =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
              .mapToLong(p -> p.getPeakUsage().getUsed())
              .sum();
      String report =
          String.format(
              "items=%d threads=%d maxHeap=%d MiB%n"
                  + "store: %.1f s (%.0f items/s)%n"
                  + "retrieve (cache miss, then cached): %d in %.1f s (%.0f items/s)%n"
                  + "heap used after GC: %d MiB; committed: %d MiB; sum of pool peaks: %d MiB%n"
                  + "data dir on disk: %d MiB (%s)%n",
              ITEMS,
              THREADS,
              maxHeap >> 20,
              storeSeconds,
              ITEMS / storeSeconds,
              reads,
              readSeconds,
              reads / readSeconds,
              heap.getUsed() >> 20,
              heap.getCommitted() >> 20,
              peak >> 20,
              sizeOf(dir) >> 20,
              fileSizes(dir));
      System.out.print(report);
      Files.writeString(
          Path.of("target", "memory-" + ITEMS + ".txt"), report, StandardCharsets.UTF_8);
      assertThat(heap.getUsed()).isLessThan(256L << 20);
    }
  }

  private static String address(int i) {
    return "ucxl://mem/qa_engineer/memory/t" + (i % 64) + "/item-" + i + ".bin";
  }

  private static String fileSizes(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .sorted()
          .map(p -> p.getFileName() + " " + (p.toFile().length() >> 10) + " KiB")
          .collect(java.util.stream.Collectors.joining(", "));
    }
  }

  private static long sizeOf(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
