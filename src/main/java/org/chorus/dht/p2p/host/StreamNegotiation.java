package org.chorus.dht.p2p.host;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.multistream.MultistreamNegotiator;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * multistream-select on one muxed stream (the stream's handler until a protocol is agreed). A
 * failure or timeout resets just this stream. Bytes after the last negotiation message go to the
 * negotiated stream first. Confined to the connection's event loop; owns and releases its
 * accumulation buffer.
 */
final class StreamNegotiation implements MuxedStream.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamNegotiation.class);

  private final MuxedStream raw;
  private final HostConnection connection;
  private final MultistreamNegotiator negotiator;
  private final Function<ProtocolId, StreamHandler> handlers;
  private final CompletableFuture<NegotiatedStream> result = new CompletableFuture<>();
  private final ByteBuf acc = Unpooled.buffer();
  private ScheduledFuture<?> timer;

  private StreamNegotiation(
      MuxedStream raw,
      HostConnection connection,
      MultistreamNegotiator negotiator,
      Function<ProtocolId, StreamHandler> handlers) {
    this.raw = raw;
    this.connection = connection;
    this.negotiator = negotiator;
    this.handlers = handlers;
  }

  /** Dialer side: proposes {@code protocols}; completes with the stream once one is agreed. */
  static CompletableFuture<NegotiatedStream> initiate(
      MuxedStream raw, HostConnection conn, List<ProtocolId> protocols, Duration timeout) {
    StreamNegotiation n =
        new StreamNegotiation(raw, conn, MultistreamNegotiator.initiator(protocols), null);
    n.start(timeout);
    return n.result;
  }

  /** Listener side: agrees on one of {@code supported} and hands the stream to its handler. */
  static void respond(
      MuxedStream raw,
      HostConnection conn,
      Set<ProtocolId> supported,
      Function<ProtocolId, StreamHandler> handlers,
      Duration timeout) {
    new StreamNegotiation(raw, conn, MultistreamNegotiator.responder(supported), handlers)
        .start(timeout);
  }

  /** Runs on the connection's event loop: header first, then the handler (held data follows). */
  private void start(Duration timeout) {
    if (!connection.eventLoop().inEventLoop()) {
      connection.eventLoop().execute(() -> start(timeout));
      return;
    }
    timer =
        connection
            .eventLoop()
            .schedule(
                () -> fail("failed to negotiate stream protocol: timed out"),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    raw.write(negotiator.start());
    raw.setHandler(this);
  }

  @Override
  public void onData(byte[] data) {
    if (result.isDone()) {
      return;
    }
    acc.writeBytes(data);
    MultistreamNegotiator.Outcome o = negotiator.onData(acc);
    if (o.toWrite().length > 0) {
      raw.write(o.toWrite());
    }
    if (o instanceof MultistreamNegotiator.Selected s) {
      timer.cancel(false);
      byte[] rest = new byte[acc.readableBytes()];
      acc.readBytes(rest);
      acc.release();
      NegotiatedStream stream =
          new NegotiatedStream(raw, s.protocol(), connection, connection.maxPendingStreamBytes());
      raw.setHandler(stream);
      if (rest.length > 0) {
        stream.onData(rest);
      }
      result.complete(stream);
      if (handlers != null) {
        StreamHandler h = handlers.apply(s.protocol());
        if (h == null) {
          raw.reset();
          return;
        }
        try {
          h.handle(stream);
        } catch (RuntimeException e) {
          LOG.warn("handler for {} failed; resetting the stream", s.protocol(), e);
          raw.reset();
        }
      }
    } else if (o instanceof MultistreamNegotiator.Failed f) {
      fail(f.reason());
    } else {
      acc.discardReadBytes();
    }
  }

  private void fail(String reason) {
    if (result.isDone()) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    LOG.debug("stream to {}: {}", connection.remotePeer(), reason);
    if (acc.refCnt() > 0) {
      acc.release();
    }
    raw.reset();
    result.completeExceptionally(new IOException(reason));
  }

  @Override
  public void onRemoteClose() {
    fail("failed to negotiate stream protocol: peer closed the stream");
  }

  @Override
  public void onReset(Throwable cause) {
    fail("failed to negotiate stream protocol: stream reset (" + cause.getMessage() + ")");
  }
}
