package org.chorus.dht.p2p.core;

/**
 * Receives a {@link Stream}'s inbound events on the connection's I/O thread. Implementations must
 * not block. The {@code data} array belongs to the listener.
 */
public interface StreamListener {
  void onData(Stream stream, byte[] data);

  /** The peer half-closed its side (no more data will come). */
  default void onRemoteClose(Stream stream) {}

  /** The stream was reset by either side or the connection died. */
  default void onReset(Stream stream, Throwable cause) {}
}
