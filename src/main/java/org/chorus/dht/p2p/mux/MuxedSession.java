package org.chorus.dht.p2p.mux;

import java.util.concurrent.CompletableFuture;

/** A stream muxer over one secured connection. Thread-safe. */
public interface MuxedSession {
  /** Notified on the event loop. */
  interface Listener {
    /** A peer opened a stream; set its handler before returning (or data is held). */
    void onInboundStream(MuxedStream stream);
  }

  CompletableFuture<MuxedStream> openStream();

  int streamCount();

  /** Says goodbye (yamux go-away) and closes the connection. */
  CompletableFuture<Void> close();
}
