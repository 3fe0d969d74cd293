package org.chorus.dht.p2p.mux;

import java.util.concurrent.CompletableFuture;

/**
 * One raw stream of a muxer, before or without protocol negotiation. Methods may be called from any
 * thread; handler callbacks come on the connection's event loop, in order. Data that arrives before
 * a handler is set is held (within the receive window) and delivered when one is set.
 */
public interface MuxedStream {
  /** Inbound events; must not block. The byte arrays belong to the handler. */
  interface Handler {
    void onData(byte[] data);

    void onRemoteClose();

    void onReset(Throwable cause);
  }

  int id();

  void setHandler(Handler handler);

  CompletableFuture<Void> write(byte[] data);

  CompletableFuture<Void> closeWrite();

  void reset();

  CompletableFuture<Void> closeFuture();

  /**
   * The stream's share of its connection's memory budget (the muxer reserves the bytes it holds for
   * the stream here; so may the layers above).
   */
  default org.chorus.dht.p2p.core.MemoryScope memory() {
    return org.chorus.dht.p2p.core.MemoryScope.UNLIMITED;
  }
}
