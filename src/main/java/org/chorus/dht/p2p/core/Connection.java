package org.chorus.dht.p2p.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A secured, multiplexed connection to one peer. Thread-safe. */
public interface Connection {
  enum Direction {
    INBOUND,
    OUTBOUND
  }

  PeerId localPeer();

  PeerId remotePeer();

  /** The remote peer's protobuf-encoded public key as proven in the security handshake. */
  byte[] remotePublicKey();

  Multiaddr localAddress();

  Multiaddr remoteAddress();

  Direction direction();

  /** Security protocol in use, e.g. {@code /noise}. */
  ProtocolId security();

  /** Muxer in use, e.g. {@code /yamux/1.0.0}. */
  ProtocolId muxer();

  /**
   * Opens a stream and negotiates the first protocol of {@code protocols} that the peer supports
   * (multistream-select). Fails if the peer supports none, on timeout, or if the stream limit is
   * reached.
   */
  CompletableFuture<Stream> newStream(List<ProtocolId> protocols);

  default CompletableFuture<Stream> newStream(ProtocolId protocol) {
    return newStream(List.of(protocol));
  }

  /** Number of streams currently open. */
  int streamCount();

  boolean isOpen();

  /** Closes the connection (yamux go-away, then TCP close). */
  CompletableFuture<Void> close();

  CompletableFuture<Void> closeFuture();
}
