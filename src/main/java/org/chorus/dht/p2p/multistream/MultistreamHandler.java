package org.chorus.dht.p2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.ProtocolId;

/**
 * Runs one {@link MultistreamNegotiator} on a Netty channel. On success it calls {@link
 * Listener#selected} (which installs the next stage after this handler, synchronously), then
 * removes itself; bytes that arrived after the last negotiation message are passed on to the next
 * stage by {@link ByteToMessageDecoder}. On failure or timeout it calls {@link Listener#failed}.
 * Inbound buffers are released by the decoder base class.
 */
public final class MultistreamHandler extends ByteToMessageDecoder {
  /** Callbacks, invoked on the channel's event loop. */
  public interface Listener {
    void selected(ChannelHandlerContext ctx, ProtocolId protocol);

    void failed(ChannelHandlerContext ctx, String reason);
  }

  private final MultistreamNegotiator negotiator;
  private final Duration timeout;
  private final Listener listener;
  private ScheduledFuture<?> timer;
  private boolean finished;

  public MultistreamHandler(MultistreamNegotiator negotiator, Duration timeout, Listener listener) {
    this.negotiator = negotiator;
    this.timeout = timeout;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (timer == null) {
      start(ctx);
    }
    super.channelActive(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(negotiator.start()))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(ctx, "failed to negotiate: could not write header: " + f.cause());
              }
            });
    timer =
        ctx.executor()
            .schedule(
                () ->
                    fail(ctx, "failed to negotiate: timed out after " + timeout.toMillis() + " ms"),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (finished) {
      return;
    }
    if (timer == null) {
      start(ctx); // our header must precede any answer, even if channelActive never reached us
    }
    MultistreamNegotiator.Outcome o = negotiator.onData(in);
    if (o.toWrite().length > 0) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(o.toWrite()));
    }
    if (o instanceof MultistreamNegotiator.Selected s) {
      finished = true;
      timer.cancel(false);
      listener.selected(ctx, s.protocol());
      ctx.pipeline().remove(this);
    } else if (o instanceof MultistreamNegotiator.Failed f) {
      fail(ctx, f.reason());
    }
  }

  private void fail(ChannelHandlerContext ctx, String reason) {
    if (finished) {
      return;
    }
    finished = true;
    if (timer != null) {
      timer.cancel(false);
    }
    listener.failed(ctx, reason);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    fail(ctx, "failed to negotiate: connection closed");
    super.channelInactive(ctx);
  }
}
