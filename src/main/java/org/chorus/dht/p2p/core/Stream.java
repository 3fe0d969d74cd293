package org.chorus.dht.p2p.core;

import java.util.concurrent.CompletableFuture;

/**
 * One multiplexed, protocol-negotiated byte stream to a peer.
 *
 * <p>Thread-safe: every method may be called from any thread; the work is handed to the
 * connection's I/O thread. Inbound data goes to the {@link StreamListener} set with {@link
 * #setListener}, always on that I/O thread and in order. Data that arrives before a listener is set
 * is buffered (within the muxer's receive window) and delivered when one is set. Bytes count as
 * consumed (flow-control credit goes back to the peer) once {@code onData} returns.
 */
public interface Stream {
  /** The protocol agreed for this stream. */
  ProtocolId protocol();

  Connection connection();

  default PeerId remotePeer() {
    return connection().remotePeer();
  }

  /** Sets the listener for inbound data and close events (replaces any earlier one). */
  void setListener(StreamListener listener);

  /**
   * Queues {@code data} for sending. The future completes once all of it has been handed to the
   * connection, which may wait for the peer's flow-control window; it fails if the stream is reset,
   * closed for writing, or more than the per-stream send buffer cap is queued.
   */
  CompletableFuture<Void> write(byte[] data);

  /** Half-closes: no more writes from us (yamux FIN). Reading goes on. */
  CompletableFuture<Void> closeWrite();

  /** Aborts the stream in both directions (yamux RST). */
  void reset();

  /** Completes when the stream is fully closed (both sides finished, or reset). */
  CompletableFuture<Void> closeFuture();

  /**
   * This stream's share of its connection's memory budget: a reader that buffers a message reserves
   * its bytes here first ({@link LengthPrefixed} does) and resets the stream when refused.
   */
  default MemoryScope memory() {
    return MemoryScope.UNLIMITED;
  }
}
