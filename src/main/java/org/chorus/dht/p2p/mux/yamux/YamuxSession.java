package org.chorus.dht.p2p.mux.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.mux.MuxedSession;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Yamux session (yamux/README.md) as the last handler of a secured channel: it parses frames with
 * {@link YamuxFrameCodec}, keeps the stream table, answers pings with ACK, honours go-away, and
 * enforces the receive windows and the stream cap. Connection-scoped protocol errors (bad frame,
 * window overrun, bad stream id) send go-away(protocol error) and close the channel; stream-scoped
 * ones reset just the stream. All state is confined to the channel's event loop; public methods hop
 * onto it.
 *
 * <p>Memory: every byte the session buffers for the connection counts against its {@link
 * MemoryBudget} until it is handed on: inbound data held for a stream without a handler, outbound
 * data of the streams the peer opened queued or written to the channel but not yet on the socket,
 * and the control frames it answers with (ping ACKs, RSTs of refused streams). A stream over the
 * budget is reset; a control frame over it closes the connection (a peer that makes us answer but
 * never reads).
 */
public final class YamuxSession extends ByteToMessageDecoder implements MuxedSession {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/yamux/1.0.0");

  private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);

  /** Inbound SYNs refused because {@link YamuxConfig#maxStreams()} was reached (all sessions). */
  public static final AtomicLong STREAMS_REFUSED = new AtomicLong();

  final YamuxConfig config;
  final MemoryBudget memory;
  private final Runnable onStreamRefused;
  private final boolean client;
  private final MuxedSession.Listener listener;
  final Map<Integer, YamuxStream> streams = new HashMap<>();
  ChannelHandlerContext ctx;
  private int nextId;
  private boolean goAwayReceived;
  private boolean closing;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final FrameListener frames = new FrameListener();

  /**
   * @param client true on the dialling side (odd stream ids)
   */
  public YamuxSession(YamuxConfig config, boolean client, MuxedSession.Listener listener) {
    this(config, client, listener, MemoryBudget.unlimited(), () -> {});
  }

  /**
   * @param client true on the dialling side (odd stream ids)
   * @param memory the connection's budget; streams draw from it
   * @param onStreamRefused runs for every inbound SYN refused by {@link YamuxConfig#maxStreams()}
   */
  public YamuxSession(
      YamuxConfig config,
      boolean client,
      MuxedSession.Listener listener,
      MemoryBudget memory,
      Runnable onStreamRefused) {
    this.config = config;
    this.memory = memory;
    this.onStreamRefused = onStreamRefused;
    this.client = client;
    this.listener = listener;
    this.nextId = client ? 1 : 2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.channel().closeFuture().addListener(f -> closeFuture.complete(null));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (closing) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      YamuxFrameCodec.decode(in, config.initialWindow(), frames);
    } catch (ProtocolException e) {
      in.skipBytes(in.readableBytes());
      protocolError(e.getMessage());
    }
  }

  /** Kills the connection for a protocol violation, with a logged reason. */
  void protocolError(String reason) {
    if (closing) {
      return;
    }
    LOG.info("closing connection to {}: {}", ctx.channel().remoteAddress(), reason);
    closing = true;
    ctx.writeAndFlush(
            YamuxFrameCodec.header(
                ctx.alloc(), YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    List<YamuxStream> all = new ArrayList<>(streams.values());
    streams.clear();
    for (YamuxStream s : all) {
      s.connectionClosed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public CompletableFuture<MuxedStream> openStream() {
    CompletableFuture<MuxedStream> f = new CompletableFuture<>();
    ctx.executor()
        .execute(
            () -> {
              if (closing || goAwayReceived || !ctx.channel().isActive()) {
                f.completeExceptionally(
                    new IllegalStateException("failed to open stream: session closed"));
                return;
              }
              if (streams.size() >= config.maxStreams()) {
                f.completeExceptionally(
                    new IllegalStateException(
                        "failed to open stream: " + config.maxStreams() + " streams open"));
                return;
              }
              int id = nextId;
              nextId += 2;
              YamuxStream s = new YamuxStream(this, id, false);
              streams.put(id, s);
              sendWindowUpdate(id, YamuxFrame.FLAG_SYN, extraWindow());
              ctx.flush();
              f.complete(s);
            });
    return f;
  }

  @Override
  public int streamCount() {
    return streams.size();
  }

  @Override
  public CompletableFuture<Void> close() {
    ctx.executor()
        .execute(
            () -> {
              if (!closing && ctx.channel().isActive()) {
                closing = true;
                ctx.writeAndFlush(
                        YamuxFrameCodec.header(
                            ctx.alloc(), YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL))
                    .addListener(ChannelFutureListener.CLOSE);
              } else {
                ctx.close();
              }
            });
    return closeFuture;
  }

  void sendWindowUpdate(int id, int flags, long delta) {
    ctx.write(YamuxFrameCodec.header(ctx.alloc(), YamuxFrame.TYPE_WINDOW_UPDATE, flags, id, delta));
  }

  /** Window beyond the spec's initial 256 KiB that we grant with SYN/ACK. */
  private long extraWindow() {
    return config.initialWindow() - YamuxConfig.DEFAULT_INITIAL_WINDOW;
  }

  /**
   * Writes a frame the peer made us send, its bytes counted against the budget until they are on
   * the socket; over the budget the connection is closed (takes ownership of {@code frame}).
   */
  private void writeControl(ByteBuf frame) {
    int n = frame.readableBytes();
    if (!memory.reserve(n)) {
      frame.release();
      closing = true;
      LOG.info(
          "closing connection to {}: over its memory budget of {} bytes (the peer does not read)",
          ctx.channel().remoteAddress(),
          memory.limit());
      ctx.close();
      return;
    }
    ctx.writeAndFlush(frame).addListener(f -> memory.release(n));
  }

  void removeStream(int id) {
    streams.remove(id);
  }

  private YamuxStream acceptSyn(int id) {
    boolean remoteParity = client ? (id % 2 == 0) : (id % 2 == 1);
    if (id == 0 || !remoteParity) {
      protocolError("yamux: SYN with invalid stream id " + id);
      return null;
    }
    if (streams.containsKey(id)) {
      protocolError("yamux: SYN for open stream " + id);
      return null;
    }
    if (closing || streams.size() >= config.maxStreams()) {
      STREAMS_REFUSED.incrementAndGet();
      onStreamRefused.run();
      LOG.debug("refusing stream {}: {} streams open", id, streams.size());
      writeControl(
          YamuxFrameCodec.header(
              ctx.alloc(), YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0));
      return null;
    }
    YamuxStream s = new YamuxStream(this, id, true);
    streams.put(id, s);
    sendWindowUpdate(id, YamuxFrame.FLAG_ACK, extraWindow());
    ctx.flush();
    listener.onInboundStream(s);
    return s;
  }

  /** Frame dispatch; kept apart so the session's public surface stays small. */
  private final class FrameListener implements YamuxFrameCodec.Listener {
    @Override
    public void onData(int streamId, int flags, ByteBuf data) {
      YamuxStream s = lookup(streamId, flags);
      if (s == null) {
        data.release();
        return;
      }
      s.onData(data); // takes ownership
      s.onFlags(flags);
    }

    @Override
    public void onWindowUpdate(int streamId, int flags, long delta) {
      YamuxStream s = lookup(streamId, flags);
      if (s == null) {
        return;
      }
      s.onWindowUpdate(delta);
      s.onFlags(flags);
    }

    private YamuxStream lookup(int streamId, int flags) {
      if (closing) {
        return null;
      }
      if ((flags & YamuxFrame.FLAG_SYN) != 0) {
        return acceptSyn(streamId);
      }
      return streams.get(streamId); // unknown: a stream we already closed or reset; ignore
    }

    @Override
    public void onPing(int flags, long opaque) {
      if ((flags & YamuxFrame.FLAG_SYN) != 0) {
        writeControl(
            YamuxFrameCodec.header(
                ctx.alloc(), YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, opaque));
      }
    }

    @Override
    public void onGoAway(long code) {
      goAwayReceived = true;
      LOG.debug("go-away from {}, code {}", ctx.channel().remoteAddress(), code);
    }
  }
}
