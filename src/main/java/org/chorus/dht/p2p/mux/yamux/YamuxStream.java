package org.chorus.dht.p2p.mux.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.core.MemoryScope;
import org.chorus.dht.p2p.mux.MuxedStream;

/**
 * One Yamux stream: send window and queue, receive window and credit, half-close and reset. All
 * state is confined to the session's event loop; public methods hop onto it. Inbound bytes are
 * credited back to the peer (window update) once the handler's {@code onData} has returned, in
 * batches of at least half the window.
 *
 * <p>Memory ({@link #memory()}, a scope of the session's budget): bytes held for a handler not set
 * yet are reserved, and on a stream the peer opened (our writes answer what it asked) so are the
 * bytes queued by {@link #write}; a written frame's bytes stay reserved (on the connection's
 * budget, past the stream's end) until the channel has put them on the socket. Our own streams'
 * writes are bounded by what we choose to send (and {@link YamuxConfig#maxSendBuffer()}). Over the
 * budget the stream is reset.
 */
final class YamuxStream implements MuxedStream {
  private record Pending(ByteBuf data, CompletableFuture<Void> done) {}

  private final YamuxSession session;
  private final int id;
  private final ArrayDeque<Pending> sendQueue = new ArrayDeque<>();
  private final ArrayDeque<byte[]> held = new ArrayDeque<>();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final MemoryBudget.Scope memory;
  private final boolean remoteOpened;
  private CompletableFuture<Void> finFuture;
  private Handler handler;
  private long sendWindow = YamuxConfig.DEFAULT_INITIAL_WINDOW;
  private long recvWindow;
  private long credit;
  private long queuedBytes;
  private boolean finSent;
  private boolean remoteFin;
  private boolean remoteFinDelivered;
  private boolean dead;

  /**
   * @param remoteOpened the peer opened it (its writes are answers the peer asked for: counted)
   */
  YamuxStream(YamuxSession session, int id, boolean remoteOpened) {
    this.session = session;
    this.id = id;
    this.remoteOpened = remoteOpened;
    this.recvWindow = session.config.initialWindow();
    this.memory = session.memory.openScope();
  }

  private ChannelHandlerContext ctx() {
    return session.ctx;
  }

  private void onLoop(Runnable r) {
    if (ctx().executor().inEventLoop()) {
      r.run();
    } else {
      ctx().executor().execute(r);
    }
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public MemoryScope memory() {
    return memory;
  }

  @Override
  public void setHandler(Handler h) {
    onLoop(
        () -> {
          handler = h;
          while (!held.isEmpty() && handler == h) {
            byte[] d = held.poll();
            memory.release(d.length); // the handler reserves what it keeps
            h.onData(d);
            credit(d.length);
          }
          if (remoteFin && !remoteFinDelivered && held.isEmpty()) {
            remoteFinDelivered = true;
            h.onRemoteClose();
          }
          ctx().flush();
        });
  }

  @Override
  public CompletableFuture<Void> write(byte[] data) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    onLoop(
        () -> {
          if (dead || finFuture != null) {
            f.completeExceptionally(new IOException("failed to write: stream " + id + " closed"));
            return;
          }
          if (queuedBytes + data.length > session.config.maxSendBuffer()) {
            f.completeExceptionally(
                new IOException(
                    "failed to write: stream "
                        + id
                        + " send buffer over "
                        + session.config.maxSendBuffer()
                        + " bytes"));
            return;
          }
          if (remoteOpened && !memory.reserve(data.length)) {
            f.completeExceptionally(overBudget("failed to write"));
            resetOverBudget();
            return;
          }
          queuedBytes += data.length;
          sendQueue.add(new Pending(Unpooled.wrappedBuffer(data), f));
          flushQueue();
        });
    return f;
  }

  @Override
  public CompletableFuture<Void> closeWrite() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    onLoop(
        () -> {
          if (dead) {
            f.complete(null);
            return;
          }
          if (finFuture != null) {
            finFuture.whenComplete((v, e) -> f.complete(null));
            return;
          }
          finFuture = f;
          flushQueue();
        });
    return f;
  }

  @Override
  public void reset() {
    onLoop(
        () -> {
          if (dead) {
            return;
          }
          session.sendWindowUpdate(id, YamuxFrame.FLAG_RST, 0);
          ctx().flush();
          die(new IOException("stream " + id + " reset locally"), false);
        });
  }

  private IOException overBudget(String what) {
    return new IOException(
        what
            + ": stream "
            + id
            + " over the connection's memory budget of "
            + session.memory.limit()
            + " bytes");
  }

  /** Resets the stream (RST to the peer, reset to our handler): it was over the memory budget. */
  private void resetOverBudget() {
    if (dead) {
      return;
    }
    session.sendWindowUpdate(id, YamuxFrame.FLAG_RST, 0);
    ctx().flush();
    die(overBudget("reset"), true);
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  private void flushQueue() {
    ChannelHandlerContext ctx = ctx();
    boolean wrote = false;
    while (!sendQueue.isEmpty() && sendWindow > 0) {
      Pending p = sendQueue.peek();
      int n =
          (int)
              Math.min(
                  Math.min(p.data().readableBytes(), sendWindow), session.config.maxFrameData());
      // header and payload in one buffer, so the Noise codec seals them together
      long inFlight = remoteOpened ? memory.detach(n) : 0; // reserved until on the socket
      ctx.write(
              ctx.alloc()
                  .compositeBuffer(2)
                  .addComponents(
                      true,
                      YamuxFrameCodec.header(ctx.alloc(), YamuxFrame.TYPE_DATA, 0, id, n),
                      p.data().readRetainedSlice(n)))
          .addListener(x -> session.memory.release(inFlight));
      sendWindow -= n;
      queuedBytes -= n;
      wrote = true;
      if (!p.data().isReadable()) {
        sendQueue.poll();
        p.data().release();
        p.done().complete(null);
      }
    }
    if (finFuture != null && !finSent && sendQueue.isEmpty()) {
      finSent = true;
      session.sendWindowUpdate(id, YamuxFrame.FLAG_FIN, 0);
      wrote = true;
      finFuture.complete(null);
    }
    if (wrote) {
      ctx.flush();
    }
    maybeClosed();
  }

  void onData(ByteBuf data) {
    try {
      int len = data.readableBytes();
      if (len > recvWindow) {
        session.protocolError(
            "yamux: stream " + id + " sent " + len + " bytes with a window of " + recvWindow);
        return;
      }
      if (remoteFin) {
        resetFromProtocol("yamux: data on stream " + id + " after FIN");
        return;
      }
      if (len == 0) {
        return;
      }
      recvWindow -= len;
      if (handler != null && held.isEmpty()) {
        byte[] bytes = new byte[len];
        data.readBytes(bytes);
        handler.onData(bytes);
        credit(len);
      } else if (memory.reserve(len)) {
        byte[] bytes = new byte[len];
        data.readBytes(bytes);
        held.add(bytes);
      } else {
        resetOverBudget();
      }
    } finally {
      data.release();
    }
  }

  private void credit(int n) {
    if (dead) {
      return;
    }
    credit += n;
    if (!remoteFin && credit >= session.config.initialWindow() / 2) {
      session.sendWindowUpdate(id, 0, credit);
      recvWindow += credit;
      credit = 0;
      ctx().flush();
    }
  }

  void onWindowUpdate(long delta) {
    sendWindow = Math.min(sendWindow + delta, 0xFFFFFFFFL);
    if (delta > 0) {
      flushQueue();
    }
  }

  void onFlags(int flags) {
    if (dead) {
      return;
    }
    if ((flags & YamuxFrame.FLAG_RST) != 0) {
      die(new IOException("stream " + id + " reset by peer"), true);
      return;
    }
    if ((flags & YamuxFrame.FLAG_FIN) != 0 && !remoteFin) {
      remoteFin = true;
      if (handler != null && held.isEmpty()) {
        remoteFinDelivered = true;
        handler.onRemoteClose();
      }
      maybeClosed();
    }
  }

  private void resetFromProtocol(String reason) {
    session.sendWindowUpdate(id, YamuxFrame.FLAG_RST, 0);
    ctx().flush();
    die(new IOException(reason), true);
  }

  private void maybeClosed() {
    if (!dead && finSent && remoteFin && sendQueue.isEmpty()) {
      dead = true;
      session.removeStream(id);
      memory.close(); // bytes held for a handler not set yet
      closeFuture.complete(null);
    }
  }

  void connectionClosed() {
    die(new IOException("stream " + id + ": connection closed"), true);
  }

  private void die(Throwable cause, boolean notify) {
    if (dead) {
      return;
    }
    dead = true;
    session.removeStream(id);
    for (Pending p : sendQueue) {
      p.data().release();
      p.done().completeExceptionally(cause);
    }
    sendQueue.clear();
    held.clear();
    memory.close(); // what was queued or held; written frames give theirs back when sent
    if (finFuture != null && !finFuture.isDone()) {
      finFuture.completeExceptionally(cause);
    }
    if (notify && handler != null) {
      handler.onReset(cause);
    }
    closeFuture.complete(null);
  }
}
