package org.chorus.dht.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.chorus.dht.ucxl.InvalidUcxlAddressException;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataIndexTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Comparator<ContentMetadata> ORDER =
      Comparator.comparing(ContentMetadata::createdAt)
          .reversed()
          .thenComparing(ContentMetadata::address);

  @TempDir Path dir;
  private final List<MetadataIndex> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(MetadataIndex::close);
  }

  private MetadataIndex open() {
    return open(MetadataIndexConfig.defaults(dir));
  }

  private MetadataIndex open(MetadataIndexConfig config) {
    MetadataIndex index = MetadataIndex.open(config);
    opened.add(index);
    return index;
  }

  static ContentMetadata meta(String address, String creatorRole, String contentType, Instant at) {
    return ContentMetadata.of(
        UcxlAddress.parse(address),
        creatorRole,
        contentType,
        at,
        123,
        "ab".repeat(32),
        List.of(creatorRole, "senior_architect"),
        3,
        1);
  }

  @Test
  void putGetDeleteAndRestart() {
    MetadataIndex index = open();
    ContentMetadata m =
        meta("ucxl://alice/dev/chorus/t1/docs/a.md", "backend_developer", "text/markdown", T0);
    index.put(m);
    assertThat(index.get("ucxl://alice/dev/chorus/t1/docs/a.md")).contains(m);
    assertThat(index.get("ucxl://alice:dev@chorus:t1/docs/a.md")).contains(m);
    assertThat(index.get("ucxl://alice/dev/chorus/t1/docs/b.md")).isEmpty();
    assertThat(index.count()).isEqualTo(1);
    index.close();

    MetadataIndex reopened = open();
    assertThat(reopened.get(m.address())).contains(m);
    assertThat(reopened.search(Query.builder().agent("alice").build())).containsExactly(m);
    assertThat(reopened.delete(m.address())).isTrue();
    assertThat(reopened.delete(m.address())).isFalse();
    assertThat(reopened.get(m.address())).isEmpty();
    assertThat(reopened.search(Query.builder().agent("alice").build())).isEmpty();
    assertThat(reopened.byCreatorRole("backend_developer", 10)).isEmpty();
    assertThat(reopened.count()).isZero();
  }

  @Test
  void upsertReplacesTheSecondaryEntries() {
    MetadataIndex index = open();
    String address = "ucxl://alice/dev/chorus/t1/x";
    index.put(meta(address, "backend_developer", "text/plain", T0));
    ContentMetadata v2 = meta(address, "qa_engineer", "application/json", T0.plusSeconds(5));
    index.put(v2);
    assertThat(index.count()).isEqualTo(1);
    assertThat(index.byCreatorRole("backend_developer", 10)).isEmpty();
    assertThat(index.byCreatorRole("qa_engineer", 10)).containsExactly(v2);
    assertThat(index.search(Query.builder().contentType("text/plain").build())).isEmpty();
    assertThat(index.search(Query.builder().build())).containsExactly(v2);
  }

  @Test
  void orderIsNewestFirstThenAddress() {
    MetadataIndex index = open();
    ContentMetadata b = meta("ucxl://a/r/p/t/b", "dev", "text/plain", T0);
    ContentMetadata a = meta("ucxl://a/r/p/t/a", "dev", "text/plain", T0);
    ContentMetadata newer = meta("ucxl://a/r/p/t/z", "dev", "text/plain", T0.plusNanos(1));
    ContentMetadata older =
        meta("ucxl://a/r/p/t/0", "dev", "text/plain", T0.minusSeconds(86400 * 400));
    ContentMetadata ancient =
        meta("ucxl://a/r/p/t/y", "dev", "text/plain", Instant.parse("1960-01-01T00:00:00Z"));
    index.putAll(List.of(b, a, newer, older, ancient));
    assertThat(index.search(Query.builder().build())).containsExactly(newer, a, b, older, ancient);
    assertThat(index.byCreatorRole("dev", 2)).containsExactly(newer, a);
    assertThat(index.search(Query.builder().agent("a").limit(3).build()))
        .containsExactly(newer, a, b);
  }

  @Test
  void timeRangeIsHalfOpen() {
    MetadataIndex index = open();
    List<ContentMetadata> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(meta("ucxl://a/r/p/t/f" + i, "dev", "text/plain", T0.plusSeconds(i)));
    }
    index.putAll(all);
    List<ContentMetadata> got =
        index.search(
            Query.builder()
                .createdAfter(T0.plusSeconds(3))
                .createdBefore(T0.plusSeconds(6))
                .build());
    assertThat(got).containsExactly(all.get(5), all.get(4), all.get(3));
    assertThat(index.search(Query.builder().role("r").createdAfter(T0.plusSeconds(8)).build()))
        .containsExactly(all.get(9), all.get(8));
    assertThat(index.search(Query.builder().project("p").createdBefore(T0.plusSeconds(1)).build()))
        .containsExactly(all.get(0));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void randomQueriesMatchANaiveFilter(long seed) {
    Random random = new Random(seed);
    MetadataIndex index = open();
    Map<String, ContentMetadata> truth = new HashMap<>();
    List<ContentMetadata> batch = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ContentMetadata m = randomMeta(random, i);
      batch.add(m);
      truth.put(m.address(), m);
    }
    index.putAll(batch);
    // rewrite and delete some, so the secondary maps must follow
    for (int i = 0; i < 60; i++) {
      ContentMetadata m = randomMeta(random, random.nextInt(400));
      index.put(m);
      truth.put(m.address(), m);
    }
    for (int i = 0; i < 30; i++) {
      String address = "ucxl://" + pick(random, "ag", 4) + "/x/y/z/n" + random.nextInt(400);
      boolean existed = truth.remove(address) != null;
      assertThat(index.delete(address)).isEqualTo(existed);
    }
    assertThat(index.count()).isEqualTo(truth.size());
    for (int q = 0; q < 150; q++) {
      Query.Builder b = Query.builder().limit(1 + random.nextInt(60));
      if (random.nextInt(3) == 0) b.agent(pick(random, "ag", 4));
      if (random.nextInt(3) == 0) b.role(pick(random, "ro", 3));
      if (random.nextInt(3) == 0) b.project(pick(random, "pr", 5));
      if (random.nextInt(4) == 0) b.task(pick(random, "ta", 6));
      if (random.nextInt(4) == 0) b.contentType(pick(random, "ct", 3));
      Instant after = null;
      if (random.nextInt(3) == 0) {
        after = T0.plusSeconds(random.nextInt(200));
        b.createdAfter(after);
      }
      if (random.nextInt(3) == 0) {
        Instant before = (after == null ? T0 : after).plusSeconds(1 + random.nextInt(200));
        b.createdBefore(before);
      }
      Query query = b.build();
      List<ContentMetadata> expected =
          truth.values().stream()
              .filter(m -> naiveMatch(m, query))
              .sorted(ORDER)
              .limit(query.limit())
              .toList();
      assertThat(index.search(query)).as(query.toString()).isEqualTo(expected);
    }
    String role = pick(random, "cr", 3);
    assertThat(index.byCreatorRole(role, 1000))
        .isEqualTo(
            truth.values().stream()
                .filter(m -> m.creatorRole().equals(role))
                .sorted(ORDER)
                .toList());
  }

  static ContentMetadata randomMeta(Random random, int n) {
    String address =
        "ucxl://"
            + pick(random, "ag", 4)
            + "/"
            + pick(random, "ro", 3)
            + "/"
            + pick(random, "pr", 5)
            + "/"
            + pick(random, "ta", 6)
            + "/n"
            + n;
    // coarse times so that ties (ordered by address) are common
    Instant at = T0.plusSeconds(random.nextInt(300)).plusNanos(random.nextInt(2) * 500_000_000L);
    return meta(address, pick(random, "cr", 3), pick(random, "ct", 3), at);
  }

  private static String pick(Random random, String prefix, int n) {
    return prefix + random.nextInt(n);
  }

  private static boolean naiveMatch(ContentMetadata m, Query q) {
    return Stream.of(
            q.agent() == null || q.agent().equals(m.agent()),
            q.role() == null || q.role().equals(m.role()),
            q.project() == null || q.project().equals(m.project()),
            q.task() == null || q.task().equals(m.task()),
            q.contentType() == null || q.contentType().equals(m.contentType()),
            q.createdAfter() == null || !m.createdAt().isBefore(q.createdAfter()),
            q.createdBefore() == null || m.createdAt().isBefore(q.createdBefore()))
        .allMatch(x -> x);
  }

  @Test
  void concurrentWritersAndReadersKeepTheIndexConsistent() throws Exception {
    MetadataIndex index = open();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    try {
      List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        writers.add(
            pool.submit(
                () -> {
                  Random random = new Random(id);
                  for (int i = 0; i < 40; i++) {
                    // overlapping addresses across threads: upserts race each other
                    index.put(randomMeta(random, random.nextInt(60)));
                  }
                }));
      }
      List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  while (!done.get()) {
                    List<ContentMetadata> got = index.search(Query.builder().limit(1000).build());
                    assertThat(got).isSortedAccordingTo(ORDER).doesNotHaveDuplicates();
                    assertThat(index.byCreatorRole("cr1", 1000))
                        .allMatch(m -> m.creatorRole().equals("cr1"));
                  }
                }));
      }
      for (java.util.concurrent.Future<?> f : writers) {
        f.get();
      }
      done.set(true);
      for (java.util.concurrent.Future<?> f : readers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<ContentMetadata> all = index.search(Query.builder().limit(1000).build());
    assertThat(all).hasSize((int) index.count());
    for (ContentMetadata m : all) {
      assertThat(index.search(Query.builder().agent(m.agent()).task(m.task()).limit(1000).build()))
          .contains(m);
      assertThat(index.byCreatorRole(m.creatorRole(), 1000)).contains(m);
    }
  }

  @Test
  void limitsAreChecked() {
    assertThatThrownBy(() -> Query.builder().limit(0).build())
        .hasMessageContaining("between 1 and 1000");
    assertThatThrownBy(() -> Query.builder().limit(1001).build())
        .hasMessageContaining("between 1 and 1000");
    assertThat(Query.builder().build().limit()).isEqualTo(Query.DEFAULT_LIMIT);
    assertThatThrownBy(() -> Query.builder().createdAfter(T0).createdBefore(T0).build())
        .hasMessageContaining("createdAfter must be before createdBefore");
    MetadataIndex index = open();
    assertThatThrownBy(() -> index.byCreatorRole("x", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entryCapIsEnforcedForNewAddressesOnly() {
    MetadataIndex index = open(MetadataIndexConfig.defaults(dir).withMaxEntries(2));
    index.put(meta("ucxl://a/r/p/t/1", "dev", "text/plain", T0));
    index.put(meta("ucxl://a/r/p/t/2", "dev", "text/plain", T0));
    assertThatThrownBy(() -> index.put(meta("ucxl://a/r/p/t/3", "dev", "text/plain", T0)))
        .isInstanceOf(MetadataIndexException.class)
        .hasMessageContaining("full (2 entries)");
    index.put(meta("ucxl://a/r/p/t/1", "dev", "text/html", T0));
    assertThat(index.count()).isEqualTo(2);
  }

  @Test
  void badEntriesAreRejectedBeforeAnythingIsWritten() {
    MetadataIndex index = open();
    ContentMetadata good = meta("ucxl://a/r/p/t/1", "dev", "text/plain", T0);
    ContentMetadata colonForm =
        new ContentMetadata(
            "ucxl://a:r@p:t/1",
            "a",
            "r",
            "p",
            "t",
            "1",
            "dev",
            "text/plain",
            T0,
            1,
            "00",
            List.of(),
            1,
            1,
            "k");
    ContentMetadata mismatch =
        new ContentMetadata(
            "ucxl://a/r/p/t/1",
            "b",
            "r",
            "p",
            "t",
            "1",
            "dev",
            "text/plain",
            T0,
            1,
            "00",
            List.of(),
            1,
            1,
            "k");
    ContentMetadata nulInType = meta("ucxl://a/r/p/t/2", "dev", "text\0plain", T0);
    assertThatThrownBy(() -> index.putAll(List.of(good, colonForm)))
        .hasMessageContaining("canonical");
    assertThatThrownBy(() -> index.put(mismatch)).hasMessageContaining("do not match");
    assertThatThrownBy(() -> index.put(nulInType)).hasMessageContaining("control character");
    assertThat(index.count()).isZero();
    assertThatThrownBy(() -> index.get("nope")).isInstanceOf(InvalidUcxlAddressException.class);
  }

  @Test
  void aClosedIndexRefusesWork() {
    MetadataIndex index = open();
    index.close();
    index.close();
    assertThat(index.isOpen()).isFalse();
    assertThatThrownBy(index::count)
        .isInstanceOf(MetadataIndexException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void timeKeysSortNewestFirst() {
    Instant[] times = {
      Instant.parse("1900-01-01T00:00:00Z"),
      Instant.EPOCH.minusNanos(1),
      Instant.EPOCH,
      Instant.EPOCH.plusNanos(1),
      T0,
      T0.plus(Duration.ofDays(365 * 100))
    };
    for (int i = 1; i < times.length; i++) {
      assertThat(MetadataIndex.timeKey(times[i])).isLessThan(MetadataIndex.timeKey(times[i - 1]));
    }
  }
}
