package org.chorus.dht.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  final AtomicInteger hostRefused = new AtomicInteger();
  final AtomicInteger connRefused = new AtomicInteger();

  @Test
  void capPlusOneIsRefusedAndCountedByTheLevelThatRefused() {
    MemoryBudget host = MemoryBudget.root(100, hostRefused::incrementAndGet);
    MemoryBudget conn = host.child(60, connRefused::incrementAndGet);
    assertThat(conn.reserve(60)).isTrue();
    assertThat(conn.reserve(1)).isFalse(); // connection cap + 1
    assertThat(connRefused).hasValue(1);
    assertThat(hostRefused).hasValue(0);
    assertThat(host.used()).isEqualTo(60);

    MemoryBudget other = host.child(60, () -> {});
    assertThat(other.reserve(40)).isTrue(); // host at its cap
    assertThat(other.reserve(1)).isFalse(); // host cap + 1
    assertThat(hostRefused).hasValue(1);
    assertThat(other.used()).isEqualTo(40); // nothing taken by the refused one
    conn.release(60);
    assertThat(host.used()).isEqualTo(40);
  }

  @Test
  void aScopeGivesBackWhatItHoldsWhenClosed() {
    MemoryBudget conn = MemoryBudget.root(100, connRefused::incrementAndGet);
    MemoryBudget.Scope stream = conn.openScope();
    assertThat(stream.reserve(30)).isTrue();
    stream.release(10);
    assertThat(conn.used()).isEqualTo(20);
    stream.release(1_000); // more than it holds: clamped
    assertThat(conn.used()).isZero();
    assertThat(stream.reserve(25)).isTrue();
    stream.close();
    assertThat(conn.used()).isZero();
    assertThat(stream.reserve(1)).isFalse(); // closed
    assertThat(connRefused).hasValue(0); // a closed stream is not a refusal
  }

  @Test
  void detachedBytesOutliveTheScope() {
    MemoryBudget conn = MemoryBudget.root(100, () -> {});
    MemoryBudget.Scope stream = conn.openScope();
    stream.reserve(50);
    long inFlight = stream.detach(20);
    stream.close();
    assertThat(conn.used()).isEqualTo(inFlight).isEqualTo(20);
    conn.release(inFlight);
    assertThat(conn.used()).isZero();
  }

  @Test
  void aClosedConnectionBudgetGivesEverythingBackToTheHostOnce() {
    MemoryBudget host = MemoryBudget.root(100, () -> {});
    MemoryBudget conn = host.child(100, () -> {});
    conn.reserve(70);
    conn.close();
    assertThat(host.used()).isZero();
    conn.release(70); // late releases (a written frame's listener) change nothing
    assertThat(host.used()).isZero();
    assertThat(conn.reserve(1)).isFalse();
    assertThat(host.used()).isZero();
  }
}
