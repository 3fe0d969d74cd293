package org.chorus.dht.kad.wire;

import org.chorus.dht.p2p.core.ProtocolException;

/**
 * A kad message could not be decoded or encoded (garbage, over the cap, missing field). Scoped to
 * the stream that carried it: the stream is reset, the connection lives on.
 */
public final class KadWireException extends ProtocolException {
  public KadWireException(String message) {
    super(Scope.STREAM, message);
  }

  public KadWireException(String message, Throwable cause) {
    super(Scope.STREAM, message, cause);
  }
}
