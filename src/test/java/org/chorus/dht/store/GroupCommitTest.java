package org.chorus.dht.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  @Test
  void singleWriterFlushesOncePerCommit() throws IOException {
    AtomicInteger flushes = new AtomicInteger();
    GroupCommit gc = new GroupCommit(flushes::incrementAndGet);
    gc.commit();
    gc.commit();
    assertThat(flushes).hasValue(2);
    assertThat(gc.flushes()).isEqualTo(2);
    assertThat(gc.commits()).isEqualTo(2);
  }

  @Test
  void writersArrivingDuringAFlushShareTheNextOne() throws Exception {
    CountDownLatch firstFlushStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstFlush = new CountDownLatch(1);
    AtomicInteger flushes = new AtomicInteger();
    GroupCommit gc =
        new GroupCommit(
            () -> {
              if (flushes.incrementAndGet() == 1) {
                firstFlushStarted.countDown();
                awaitLatch(releaseFirstFlush);
              }
            });
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      Future<?> leader = pool.submit(() -> commit(gc));
      assertThat(firstFlushStarted.await(30, TimeUnit.SECONDS)).isTrue();
      long[] tickets = new long[4];
      for (int i = 0; i < 4; i++) {
        tickets[i] = gc.register(); // writes applied while the first flush runs
      }
      List<Future<?>> followers = new ArrayList<>();
      for (long t : tickets) {
        followers.add(pool.submit(() -> awaitDurable(gc, t)));
      }
      // the followers cannot finish before the first flush ends: their writes came after it began
      await().atMost(Duration.ofSeconds(30)).until(() -> gc.commits() == 5); // all are waiting
      assertThat(followers).noneMatch(Future::isDone);
      releaseFirstFlush.countDown();
      leader.get(30, TimeUnit.SECONDS);
      for (Future<?> f : followers) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(flushes).hasValue(2); // one for the leader, one shared by all four followers
      assertThat(gc.commits()).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedFlushFailsTheWriterAndLaterWritersRetry() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    GroupCommit gc =
        new GroupCommit(
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new IOException("disk full");
              }
            });
    assertThatThrownBy(gc::commit).isInstanceOf(IOException.class).hasMessage("disk full");
    gc.commit();
    assertThat(gc.flushes()).isEqualTo(1);
  }

  private static void commit(GroupCommit gc) {
    try {
      gc.commit();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitDurable(GroupCommit gc, long ticket) {
    try {
      gc.awaitDurable(ticket);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
