package org.chorus.dht.p2p.mux.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session against hand-made frames on an {@link EmbeddedChannel}, as the peer. */
class YamuxSessionTest {
  final List<MuxedStream> inbound = new ArrayList<>();
  final ByteArrayOutputStream received = new ByteArrayOutputStream();
  final List<String> events = new ArrayList<>();
  EmbeddedChannel ch;
  YamuxSession session;

  EmbeddedChannel start(YamuxConfig config) {
    session =
        new YamuxSession(
            config,
            false,
            s -> {
              inbound.add(s);
              s.setHandler(
                  new MuxedStream.Handler() {
                    @Override
                    public void onData(byte[] data) {
                      received.writeBytes(data);
                    }

                    @Override
                    public void onRemoteClose() {
                      events.add("fin");
                    }

                    @Override
                    public void onReset(Throwable cause) {
                      events.add("rst");
                    }
                  });
            });
    ch = new EmbeddedChannel(session);
    return ch;
  }

  @AfterEach
  void release() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  static ByteBuf frame(int type, int flags, int id, long length, byte[] data) {
    ByteBuf b = Unpooled.buffer();
    YamuxFrameCodec.writeHeader(b, type, flags, id, length);
    if (data != null) {
      b.writeBytes(data);
    }
    return b;
  }

  /** Reads the next outbound frame header as {type, flags, id, length}. */
  long[] next() {
    ByteBuf b = ch.readOutbound();
    assertThat(b).as("an outbound frame").isNotNull();
    long[] h = {b.getUnsignedByte(1), b.getUnsignedShort(2), b.getInt(4), b.getUnsignedInt(8)};
    b.release();
    return h;
  }

  @Test
  void answersPingWithAck() {
    start(YamuxConfig.DEFAULT);
    ch.writeInbound(frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 0xCAFE, null));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, 0xCAFE);
  }

  @Test
  void inboundStreamDataHalfCloseBothWays() {
    start(YamuxConfig.DEFAULT);
    ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, 3, new byte[] {1, 2, 3}));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 1, 0);
    assertThat(received.toByteArray()).containsExactly(1, 2, 3);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 1, 0, null));
    assertThat(events).containsExactly("fin");
    assertThat(session.streamCount()).isEqualTo(1); // our side still open
    inbound.get(0).write(new byte[] {9});
    ch.runPendingTasks();
    assertThat(next()).containsExactly(YamuxFrame.TYPE_DATA, 0, 1, 1);
    inbound.get(0).closeWrite();
    ch.runPendingTasks();
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 1, 0);
    assertThat(session.streamCount()).isZero();
    assertThat(inbound.get(0).closeFuture()).isDone();
  }

  @Test
  void peerResetReachesTheHandler() {
    start(YamuxConfig.DEFAULT);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 3, 0, null));
    next();
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 3, 0, null));
    assertThat(events).containsExactly("rst");
    assertThat(session.streamCount()).isZero();
  }

  @Test
  void windowOverrunClosesTheConnectionWithGoAway() {
    start(YamuxConfig.DEFAULT);
    int w = YamuxConfig.DEFAULT_INITIAL_WINDOW;
    ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, w, new byte[w])); // at cap
    next(); // ACK
    next(); // window update after consuming
    // the window is back to full: cap + 1 in one frame is refused by the codec check
    ch.writeInbound(frame(YamuxFrame.TYPE_DATA, 0, 1, w + 1, new byte[w + 1]));
    assertThat(next())
        .containsExactly(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    assertThat(ch.isOpen()).isFalse();
    assertThat(events).containsExactly("rst");
  }

  @Test
  void dataBeyondTheRemainingWindowIsAProtocolError() {
    start(YamuxConfig.DEFAULT);
    // no handler on the peer's side would credit this: hold data by making the stream ours first
    session.openStream();
    ch.runPendingTasks();
    next(); // SYN
    int half = YamuxConfig.DEFAULT_INITIAL_WINDOW / 2 + 1;
    // stream 2 has no handler: bytes are held, so no credit goes back
    ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_ACK, 2, half, new byte[half]));
    ch.writeInbound(frame(YamuxFrame.TYPE_DATA, 0, 2, half, new byte[half]));
    assertThat(next())
        .containsExactly(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void streamCapPlusOneIsRefusedWithRst() {
    start(
        new YamuxConfig(
            YamuxConfig.DEFAULT_INITIAL_WINDOW,
            2,
            YamuxConfig.DEFAULT_MAX_FRAME_DATA,
            YamuxConfig.DEFAULT_MAX_SEND_BUFFER));
    long refused = YamuxSession.STREAMS_REFUSED.get();
    for (int id : new int[] {1, 3}) {
      ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, id, 0, null));
      assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, id, 0);
    }
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 5, 0, null));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 5, 0);
    assertThat(YamuxSession.STREAMS_REFUSED.get()).isEqualTo(refused + 1);
    assertThat(ch.isOpen()).isTrue();
    CompletableFuture<MuxedStream> mine = session.openStream();
    ch.runPendingTasks();
    assertThat(mine).isCompletedExceptionally();
  }

  @Test
  void sendWindowIsRespected() throws Exception {
    start(YamuxConfig.DEFAULT);
    CompletableFuture<MuxedStream> f = session.openStream();
    ch.runPendingTasks();
    assertThat(f).isCompleted(); // the embedded channel ran the open synchronously
    MuxedStream s = f.join();
    assertThat(next()).containsExactly(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0);
    CompletableFuture<Void> w = s.write(new byte[YamuxConfig.DEFAULT_INITIAL_WINDOW + 10]);
    ch.runPendingTasks();
    long sent = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      sent += b.readableBytes() - YamuxFrame.HEADER_LENGTH;
      b.release();
    }
    assertThat(sent).isEqualTo(YamuxConfig.DEFAULT_INITIAL_WINDOW);
    assertThat(w).isNotDone();
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 2, 10, null));
    assertThat(next()).containsExactly(YamuxFrame.TYPE_DATA, 0, 2, 10);
    assertThat(w).isDone();
  }

  @Test
  void sendBufferCapPlusOneFails() throws Exception {
    start(YamuxConfig.DEFAULT);
    CompletableFuture<MuxedStream> f = session.openStream();
    ch.runPendingTasks();
    assertThat(f).isCompleted(); // the embedded channel ran the open synchronously
    MuxedStream s = f.join();
    // the first window's worth goes out; the rest is queued up to the cap
    s.write(new byte[YamuxConfig.DEFAULT_INITIAL_WINDOW]);
    CompletableFuture<Void> atCap = s.write(new byte[YamuxConfig.DEFAULT_MAX_SEND_BUFFER]);
    CompletableFuture<Void> over = s.write(new byte[1]);
    ch.runPendingTasks();
    assertThat(atCap).isNotDone();
    assertThat(over).isCompletedExceptionally();
  }

  @Test
  void goAwayStopsNewStreams() {
    start(YamuxConfig.DEFAULT);
    ch.writeInbound(frame(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL, null));
    CompletableFuture<MuxedStream> f = session.openStream();
    ch.runPendingTasks();
    assertThat(f).isCompletedExceptionally();
  }

  @Test
  void badFramesCloseTheConnection() {
    for (ByteBuf bad :
        List.of(
            frame(7, 0, 0, 0, null), // unknown type
            Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}), // version 1
            frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 2, 0, null), // our parity
            frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 5, 0, null))) { // ping on a stream
      start(YamuxConfig.DEFAULT);
      ch.writeInbound(bad);
      assertThat(next()[0]).isEqualTo(YamuxFrame.TYPE_GO_AWAY);
      assertThat(ch.isOpen()).isFalse();
      ch.finishAndReleaseAll();
      ch = null;
    }
  }

  @Test
  void codecChecksLengthBeforeWaitingForThePayload() {
    ByteBuf header = frame(YamuxFrame.TYPE_DATA, 0, 1, 0xFFFFFFFFL, null);
    assertThatThrownBy(() -> YamuxFrameCodec.decode(header, 1024, null))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds");
    header.release();
  }
}
