package org.chorus.dht.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 entries: insert time, file size, retained heap, and search latency (printed). Tagged
 * {@code slow} (about 10-20 s). Also a {@code main} so it can run under a small heap:
 *
 * <pre>
 * ./mvnw -q -o test-compile && java -Xmx64m \
 *   -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *   org.chorus.dht.storage.index.MetadataIndexScaleTest
 * </pre>
 */
@Tag("slow")
class MetadataIndexScaleTest {

  static final int ENTRIES = 100_000;
  static final int BATCH = 5_000;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void hundredThousandEntriesAreAllFoundAndStaySmall() throws Exception {
    // the query latencies are printed, not asserted: a timing budget belongs in a benchmark
    // (bench/storage.sh), where a loaded machine does not fail the build
    Result r = run(dir);
    assertThat(r.count).isEqualTo(ENTRIES);
    assertThat(r.retainedHeapBytes).isLessThan(64L * 1024 * 1024);
    assertThat(r.queryNames).hasSameSizeAs(r.queryMedianMillis).isNotEmpty();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("index-scale");
    try {
      run(dir);
      if (args.length > 0) {
        // --settle SECONDS: keep the index open so MVStore's background compaction can reclaim
        // the chunks the burst left behind (they are kept 45 s, H2's default retention time).
        int seconds = Integer.parseInt(args[args.length - 1]);
        MetadataIndex index = MetadataIndex.open(MetadataIndexConfig.defaults(dir));
        for (int s = 0; s < seconds; s += 15) {
          Thread.sleep(15_000);
          System.out.printf(
              "index scale: settle %3d s, file %.1f MiB%n",
              s + 15, Files.size(dir.resolve(MetadataIndexConfig.FILE_NAME)) / 1048576.0);
        }
        index.close();
        System.out.printf(
            "index scale: after settling and close, file %.1f MiB%n",
            Files.size(dir.resolve(MetadataIndexConfig.FILE_NAME)) / 1048576.0);
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  record Result(
      long count,
      long retainedHeapBytes,
      List<String> queryNames,
      List<Double> queryMedianMillis) {}

  static Result run(Path dir) throws IOException {
    long heapBefore = usedHeapAfterGc();
    MetadataIndex index = MetadataIndex.open(MetadataIndexConfig.defaults(dir));
    long start = System.nanoTime();
    List<ContentMetadata> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < ENTRIES; i++) {
      batch.add(entry(i));
      if (batch.size() == BATCH) {
        index.putAll(batch);
        batch.clear();
      }
    }
    double insertSeconds = (System.nanoTime() - start) / 1e9;
    long heapLoaded = usedHeapAfterGc();
    System.out.printf(
        "index scale: inserted %,d entries in %.1f s (%,.0f/s, batches of %d, one sync each)%n",
        ENTRIES, insertSeconds, ENTRIES / insertSeconds, BATCH);

    List<String> names = new ArrayList<>();
    List<Double> medians = new ArrayList<>();
    query(
        names,
        medians,
        "agent (2,000 match), limit 100",
        () -> index.search(q().agent("a7").build()),
        100);
    query(
        names,
        medians,
        "project (5,000 match), limit 1000",
        () -> index.search(q().project("p3").limit(1000).build()),
        1000);
    query(names, medians, "no criteria, limit 100", () -> index.search(q().build()), 100);
    query(
        names,
        medians,
        "role + time window of 1,000 s",
        () ->
            index.search(
                q().role("r2")
                    .createdAfter(T0.plusSeconds(50_000))
                    .createdBefore(T0.plusSeconds(51_000))
                    .build()),
        -1);
    query(
        names,
        medians,
        "agent + project, empty intersection (worst case)",
        () -> index.search(q().agent("a0").project("p1").build()),
        0);
    query(
        names,
        medians,
        "agent + task + contentType",
        () -> index.search(q().agent("a3").task("t53").contentType("ct3").build()),
        -1);
    query(names, medians, "byCreatorRole, limit 100", () -> index.byCreatorRole("cr4", 100), 100);
    query(
        names,
        medians,
        "get by address",
        () -> List.of(index.get(entry(77_777).address()).orElseThrow()),
        1);

    long count = index.count();
    index.close();
    long fileBytes = Files.size(dir.resolve(MetadataIndexConfig.FILE_NAME));
    long reopenStart = System.nanoTime();
    MetadataIndex reopened = MetadataIndex.open(MetadataIndexConfig.defaults(dir));
    double reopenMillis = (System.nanoTime() - reopenStart) / 1e6;
    List<ContentMetadata> afterReopen = reopened.search(q().agent("a7").build());
    long heapReopened = usedHeapAfterGc();
    reopened.close();
    System.out.printf(
        "index scale: file %.1f MiB; retained heap after load %.1f MiB, after reopen + query %.1f MiB"
            + " (max heap %.0f MiB); reopen %.0f ms, first query %d results%n",
        fileBytes / 1048576.0,
        (heapLoaded - heapBefore) / 1048576.0,
        (heapReopened - heapBefore) / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0,
        reopenMillis,
        afterReopen.size());
    return new Result(count, heapLoaded - heapBefore, names, medians);
  }

  private static Query.Builder q() {
    return Query.builder();
  }

  private static void query(
      List<String> names,
      List<Double> medians,
      String name,
      Supplier<List<ContentMetadata>> query,
      int expectedSize) {
    int runs = 15;
    double[] millis = new double[runs];
    int size = 0;
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      size = query.get().size();
      millis[i] = (System.nanoTime() - t) / 1e6;
    }
    if (expectedSize >= 0 && size != expectedSize) {
      throw new AssertionError(name + ": expected " + expectedSize + " results, got " + size);
    }
    Arrays.sort(millis);
    System.out.printf(
        "index scale: %-50s %4d results  median %7.2f ms  max %7.2f ms%n",
        name, size, millis[runs / 2], millis[runs - 1]);
    names.add(name);
    medians.add(millis[runs / 2]);
  }

  /** agent i%50, role i%7, project i%20, task i%200, type i%5, creator (i/3)%7, 1 s apart. */
  static ContentMetadata entry(int i) {
    UcxlAddress address =
        UcxlAddress.of(
            "a" + (i % 50),
            "r" + (i % 7),
            "p" + (i % 20),
            "t" + (i % 200),
            "docs/item-" + i + ".json");
    return ContentMetadata.of(
        address,
        "cr" + ((i / 3) % 7),
        "ct" + (i % 5),
        T0.plusSeconds(i),
        1024 + i % 4096,
        String.format("%064x", i),
        List.of("cr" + ((i / 3) % 7), "senior_architect"),
        3,
        1);
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
