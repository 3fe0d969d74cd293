package org.chorus.dht.p2p.mux.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's bytes against its connection's {@link MemoryBudget}: held inbound data, queued
 * writes and answered control frames; each over the budget by one byte is refused and counted.
 */
class YamuxMemoryTest {
  static final int BUDGET = 100 * 1024;

  final List<MuxedStream> inbound = new ArrayList<>();
  final AtomicInteger refused = new AtomicInteger();
  MemoryBudget budget;
  EmbeddedChannel ch;
  YamuxSession session;

  /** A session whose inbound streams get no handler (their data is held). */
  void start(long limit) {
    budget = MemoryBudget.root(limit, refused::incrementAndGet);
    session = new YamuxSession(YamuxConfig.DEFAULT, false, inbound::add, budget, () -> {});
    ch = new EmbeddedChannel(session);
  }

  @AfterEach
  void release() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  long[] next() {
    ByteBuf b = ch.readOutbound();
    assertThat(b).as("an outbound frame").isNotNull();
    long[] h = {b.getUnsignedByte(1), b.getUnsignedShort(2), b.getInt(4), b.getUnsignedInt(8)};
    b.release();
    return h;
  }

  void drain() {
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      b.release();
    }
  }

  @Test
  void heldBytesOverTheBudgetResetTheStream() {
    start(BUDGET);
    ch.writeInbound(
        YamuxSessionTest.frame(
            YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, BUDGET, new byte[BUDGET]));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 1, 0);
    assertThat(budget.used()).isEqualTo(BUDGET); // held at the cap
    ch.writeInbound(YamuxSessionTest.frame(YamuxFrame.TYPE_DATA, 0, 1, 1, new byte[1])); // + 1
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 1, 0);
    assertThat(refused).hasValue(1);
    assertThat(budget.used()).isZero(); // the reset stream gave its bytes back
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void deliveredBytesAreGivenBack() {
    start(BUDGET);
    ch.writeInbound(
        YamuxSessionTest.frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, 10, new byte[10]));
    assertThat(budget.used()).isEqualTo(10);
    List<byte[]> got = new ArrayList<>();
    inbound
        .get(0)
        .setHandler(
            new MuxedStream.Handler() {
              @Override
              public void onData(byte[] data) {
                got.add(data);
              }

              @Override
              public void onRemoteClose() {}

              @Override
              public void onReset(Throwable cause) {}
            });
    ch.runPendingTasks();
    assertThat(got).hasSize(1);
    assertThat(budget.used()).isZero();
  }

  @Test
  void queuedAnswersOverTheBudgetFailAndResetTheStream() {
    int window = YamuxConfig.DEFAULT_INITIAL_WINDOW;
    start(window + 1000);
    ch.writeInbound( // the peer opens a stream: what we write on it answers the peer
        YamuxSessionTest.frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 1, 0, null));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 1, 0);
    MuxedStream s = inbound.get(0);
    // a window's worth goes out (and is given back once written), the rest waits for credit
    CompletableFuture<Void> first = s.write(new byte[window + 1000]); // at the cap
    ch.runPendingTasks();
    drain();
    assertThat(budget.used()).isEqualTo(1000);
    CompletableFuture<Void> atCap = s.write(new byte[window]);
    CompletableFuture<Void> over = s.write(new byte[1]);
    ch.runPendingTasks();
    assertThat(atCap).isCompletedExceptionally(); // the stream was reset under it
    assertThat(over).isCompletedExceptionally();
    assertThat(first).isCompletedExceptionally();
    assertThat(refused).hasValue(1);
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 1, 0);
    assertThat(budget.used()).isZero();
  }

  @Test
  void writesOnOurOwnStreamsAreOurs() {
    start(BUDGET);
    CompletableFuture<MuxedStream> f = session.openStream();
    ch.runPendingTasks();
    MuxedStream s = f.join();
    CompletableFuture<Void> w = s.write(new byte[2 * YamuxConfig.DEFAULT_INITIAL_WINDOW]);
    ch.runPendingTasks();
    assertThat(w).isNotCompletedExceptionally();
    assertThat(budget.used()).isZero();
    assertThat(refused).hasValue(0);
  }

  @Test
  void controlFramesOverTheBudgetCloseTheConnection() {
    start(BUDGET);
    ch.writeInbound(YamuxSessionTest.frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 1, null));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, 1);
    assertThat(budget.reserve(BUDGET - YamuxFrame.HEADER_LENGTH + 1)).isTrue(); // nearly full
    ch.writeInbound(YamuxSessionTest.frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 2, null));
    assertThat(refused).hasValue(1);
    assertThat(ch.isOpen()).isFalse();
  }
}
