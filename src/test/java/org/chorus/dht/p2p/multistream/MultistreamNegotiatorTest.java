package org.chorus.dht.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Varint;
import org.junit.jupiter.api.Test;

class MultistreamNegotiatorTest {
  static final ProtocolId A = ProtocolId.of("/a/1.0.0");
  static final ProtocolId B = ProtocolId.of("/b/1.0.0");

  static byte[] msg(String... lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : lines) {
      MultistreamNegotiator.writeMessage(out, l);
    }
    return out.toByteArray();
  }

  /** Runs two negotiators against each other until both finish. */
  @Test
  void initiatorMovesOnAfterNa() {
    MultistreamNegotiator i = MultistreamNegotiator.initiator(List.of(A, B));
    MultistreamNegotiator r = MultistreamNegotiator.responder(Set.of(B));
    ByteBuf toR = Unpooled.wrappedBuffer(i.start());
    ByteBuf toI = Unpooled.wrappedBuffer(r.start());
    MultistreamNegotiator.Outcome ro = r.onData(toR);
    assertThat(ro).isInstanceOf(MultistreamNegotiator.Pending.class);
    assertThat(ro.toWrite()).isEqualTo(msg("na"));
    toI = Unpooled.wrappedBuffer(toI, Unpooled.wrappedBuffer(ro.toWrite()));
    MultistreamNegotiator.Outcome io = i.onData(toI);
    assertThat(io.toWrite()).isEqualTo(msg("/b/1.0.0"));
    MultistreamNegotiator.Outcome ro2 = r.onData(Unpooled.wrappedBuffer(io.toWrite()));
    assertThat(ro2).isEqualTo(new MultistreamNegotiator.Selected(B, ro2.toWrite()));
    MultistreamNegotiator.Outcome io2 = i.onData(Unpooled.wrappedBuffer(ro2.toWrite()));
    assertThat(io2).isInstanceOf(MultistreamNegotiator.Selected.class);
    assertThat(((MultistreamNegotiator.Selected) io2).protocol()).isEqualTo(B);
  }

  @Test
  void initiatorFailsWhenAllRefused() {
    MultistreamNegotiator i = MultistreamNegotiator.initiator(List.of(A));
    i.start();
    var o = i.onData(Unpooled.wrappedBuffer(msg(MultistreamNegotiator.HEADER, "na")));
    assertThat(o).isInstanceOf(MultistreamNegotiator.Failed.class);
  }

  @Test
  void responderListsForLsAndKeepsPipelinedData() {
    MultistreamNegotiator r = MultistreamNegotiator.responder(Set.of(A));
    ByteBuf in =
        Unpooled.wrappedBuffer(
            msg(MultistreamNegotiator.HEADER, "ls", "/a/1.0.0"),
            "rest".getBytes(StandardCharsets.UTF_8));
    var o = r.onData(in);
    assertThat(o).isInstanceOf(MultistreamNegotiator.Selected.class);
    byte[] inner = msg("/a/1.0.0");
    byte[] list = new byte[inner.length + 1];
    System.arraycopy(inner, 0, list, 0, inner.length);
    list[inner.length] = '\n';
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(Varint.encode(list.length));
    expected.writeBytes(list);
    expected.writeBytes(msg("/a/1.0.0"));
    assertThat(o.toWrite()).isEqualTo(expected.toByteArray());
    assertThat(in.toString(StandardCharsets.UTF_8)).isEqualTo("rest");
  }

  @Test
  void wrongHeaderFails() {
    var o =
        MultistreamNegotiator.responder(Set.of(A))
            .onData(Unpooled.wrappedBuffer(msg("/multistream/2.0.0")));
    assertThat(o).isInstanceOf(MultistreamNegotiator.Failed.class);
  }

  @Test
  void messageCapPlusOneFails_capPasses() {
    // a message of exactly MAX_MESSAGE bytes (including newline) is read
    String atCap = "/" + "x".repeat(MultistreamNegotiator.MAX_MESSAGE - 2);
    var r = MultistreamNegotiator.responder(Set.of(A));
    var o = r.onData(Unpooled.wrappedBuffer(msg(MultistreamNegotiator.HEADER, atCap)));
    assertThat(o).isInstanceOf(MultistreamNegotiator.Pending.class);
    assertThat(o.toWrite()).isEqualTo(msg("na"));
    // one more byte is refused before it is buffered: only the length prefix is needed
    ByteBuf over = Unpooled.buffer();
    over.writeBytes(msg(MultistreamNegotiator.HEADER));
    over.writeBytes(Varint.encode(MultistreamNegotiator.MAX_MESSAGE + 1));
    var o2 = MultistreamNegotiator.responder(Set.of(A)).onData(over);
    assertThat(o2).isInstanceOf(MultistreamNegotiator.Failed.class);
    assertThat(((MultistreamNegotiator.Failed) o2).reason()).contains("exceeds");
  }

  @Test
  void attemptsCapPlusOneFails() {
    var r = MultistreamNegotiator.responder(Set.of(A));
    r.onData(Unpooled.wrappedBuffer(msg(MultistreamNegotiator.HEADER)));
    for (int k = 0; k < MultistreamNegotiator.MAX_ATTEMPTS; k++) {
      assertThat(r.onData(Unpooled.wrappedBuffer(msg("/nope"))))
          .isInstanceOf(MultistreamNegotiator.Pending.class);
    }
    assertThat(r.onData(Unpooled.wrappedBuffer(msg("/nope"))))
        .isInstanceOf(MultistreamNegotiator.Failed.class);
  }

  @Test
  void missingNewlineFails() {
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(msg(MultistreamNegotiator.HEADER));
    in.writeByte(3).writeBytes("abc".getBytes(StandardCharsets.UTF_8));
    assertThat(MultistreamNegotiator.responder(Set.of(A)).onData(in))
        .isInstanceOf(MultistreamNegotiator.Failed.class);
  }

  @Test
  void handlerTimesOut() {
    AtomicReference<String> failed = new AtomicReference<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamHandler(
                MultistreamNegotiator.initiator(List.of(A)),
                Duration.ofMillis(1),
                new MultistreamHandler.Listener() {
                  @Override
                  public void selected(ChannelHandlerContext ctx, ProtocolId protocol) {}

                  @Override
                  public void failed(ChannelHandlerContext ctx, String reason) {
                    failed.set(reason);
                  }
                }));
    ByteBuf first = ch.readOutbound();
    assertThat(first.readableBytes())
        .isEqualTo(msg(MultistreamNegotiator.HEADER, "/a/1.0.0").length);
    first.release();
    ch.advanceTimeBy(10, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(failed.get()).contains("timed out");
    ch.finishAndReleaseAll();
  }
}
