package org.chorus.dht.p2p.host;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.MemoryScope;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamListener;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A muxed stream after multistream-select: adds the protocol and holds inbound data until the
 * application sets its listener (at most {@code maxPending} bytes, reserved on the connection's
 * memory budget; beyond either the stream is reset). State is confined to the connection's event
 * loop.
 */
final class NegotiatedStream implements Stream, MuxedStream.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(NegotiatedStream.class);

  private final MuxedStream raw;
  private final ProtocolId protocol;
  private final HostConnection connection;
  private final EventLoop loop;
  private final int maxPending;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private int pendingBytes;
  private boolean remoteClosed;
  private Throwable resetCause;
  private StreamListener listener;

  NegotiatedStream(
      MuxedStream raw, ProtocolId protocol, HostConnection connection, int maxPending) {
    this.raw = raw;
    this.protocol = protocol;
    this.connection = connection;
    this.loop = connection.eventLoop();
    this.maxPending = maxPending;
  }

  @Override
  public ProtocolId protocol() {
    return protocol;
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public void setListener(StreamListener l) {
    Runnable r =
        () -> {
          listener = l;
          while (!pending.isEmpty() && listener == l) {
            byte[] d = pending.poll();
            pendingBytes -= d.length;
            raw.memory().release(d.length); // the listener reserves what it keeps
            l.onData(this, d);
          }
          if (listener != l) {
            return;
          }
          if (resetCause != null) {
            l.onReset(this, resetCause);
          } else if (remoteClosed) {
            l.onRemoteClose(this);
          }
        };
    if (loop.inEventLoop()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  @Override
  public CompletableFuture<Void> write(byte[] data) {
    return raw.write(data);
  }

  @Override
  public CompletableFuture<Void> closeWrite() {
    return raw.closeWrite();
  }

  @Override
  public void reset() {
    raw.reset();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return raw.closeFuture();
  }

  @Override
  public MemoryScope memory() {
    return raw.memory();
  }

  @Override
  public void onData(byte[] data) {
    if (listener != null) {
      listener.onData(this, data);
      return;
    }
    if (pendingBytes + data.length > maxPending) {
      LOG.info(
          "resetting {} stream from {}: {} bytes held without a listener",
          protocol,
          connection.remotePeer(),
          pendingBytes + data.length);
      raw.reset();
      return;
    }
    if (!raw.memory().reserve(data.length)) {
      LOG.info(
          "resetting {} stream from {}: over the connection's memory budget",
          protocol,
          connection.remotePeer());
      raw.reset();
      return;
    }
    pending.add(data);
    pendingBytes += data.length;
  }

  @Override
  public void onRemoteClose() {
    remoteClosed = true;
    if (listener != null) {
      listener.onRemoteClose(this);
    }
  }

  @Override
  public void onReset(Throwable cause) {
    resetCause = cause;
    if (listener != null) {
      listener.onReset(this, cause);
    }
  }

  @Override
  public String toString() {
    return "Stream[" + protocol + " to " + connection.remotePeer() + "]";
  }

  static IOException closed() {
    return new IOException("stream closed");
  }
}
