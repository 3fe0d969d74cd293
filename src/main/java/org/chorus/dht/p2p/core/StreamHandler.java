package org.chorus.dht.p2p.core;

/**
 * Serves one protocol on inbound streams. Called on the connection's I/O thread right after the
 * protocol was agreed; it must set a listener and return quickly.
 */
@FunctionalInterface
public interface StreamHandler {
  void handle(Stream stream);
}
