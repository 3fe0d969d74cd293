package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.KadConfig;
import org.junit.jupiter.api.Test;

/** The bounded kad work pool, driven by a manual executor that runs nothing until told. */
class KadWorkPoolTest {

  /** Holds tasks until {@link #runOne()}: a pool whose workers are all blocked. */
  static final class ManualExecutor implements java.util.concurrent.Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable r) {
      tasks.add(r);
    }

    void runOne() {
      Runnable r;
      synchronized (this) {
        r = tasks.poll();
      }
      r.run();
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        runOne();
      }
    }
  }

  @Test
  void aFullQueueRefusesThePeersRequest_capPlusOne() {
    ManualExecutor blocked = new ManualExecutor();
    KadWorkPool pool = KadWorkPool.over(blocked, 2, 1 << 20);
    assertThat(pool.tryExecute(10, () -> {})).isTrue();
    assertThat(pool.tryExecute(10, () -> {})).isTrue();
    assertThat(pool.queued()).isEqualTo(2);
    assertThat(pool.tryExecute(10, () -> {})).isFalse();
    assertThat(pool.refused()).isEqualTo(1);

    blocked.runOne(); // a worker takes one: room for one more
    assertThat(pool.queued()).isEqualTo(1);
    assertThat(pool.tryExecute(10, () -> {})).isTrue();
    assertThat(pool.tryExecute(10, () -> {})).isFalse();
    assertThat(pool.refused()).isEqualTo(2);
  }

  @Test
  void queuedBytesAreBoundedToo() {
    ManualExecutor blocked = new ManualExecutor();
    KadWorkPool pool = KadWorkPool.over(blocked, 100, 100);
    assertThat(pool.tryExecute(60, () -> {})).isTrue();
    assertThat(pool.tryExecute(41, () -> {})).isFalse();
    assertThat(pool.tryExecute(40, () -> {})).isTrue();
    assertThat(pool.queuedBytes()).isEqualTo(100);
    blocked.runAll();
    assertThat(pool.queuedBytes()).isZero();
    assertThat(pool.queued()).isZero();
  }

  @Test
  void ownWorkHasTwiceTheRoom_thenFailsTheStage() throws Exception {
    ManualExecutor blocked = new ManualExecutor();
    KadWorkPool pool = KadWorkPool.over(blocked, 2, 1 << 20);
    pool.tryExecute(1, () -> {});
    pool.tryExecute(1, () -> {});
    assertThat(pool.tryExecute(1, () -> {})).isFalse(); // peers: full
    CompletableFuture<String> a = pool.supply(() -> "a");
    CompletableFuture<String> b = pool.supply(() -> "b");
    CompletableFuture<String> c = pool.supply(() -> "c");
    assertThat(c).isCompletedExceptionally();
    assertThatThrownBy(c::get).hasCauseInstanceOf(RejectedExecutionException.class);
    blocked.runAll();
    assertThat(a.get()).isEqualTo("a");
    assertThat(b.get()).isEqualTo("b");
    CompletableFuture<String> boom =
        pool.supply(
            () -> {
              throw new IllegalStateException("boom");
            });
    blocked.runAll();
    assertThatThrownBy(boom::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void workRunsOnNamedDaemonThreads_andCloseRefusesMore() throws Exception {
    KadWorkPool pool = KadWorkPool.start(KadConfig.Limits.defaults());
    Thread t = pool.supply(Thread::currentThread).get(10, TimeUnit.SECONDS);
    assertThat(t.getName()).startsWith(KadWorkPool.THREAD_PREFIX);
    assertThat(t.isDaemon()).isTrue();
    pool.close();
    assertThat(pool.tryExecute(1, () -> {})).isFalse();
    assertThat(pool.supply(() -> 1)).isCompletedExceptionally();
  }
}
