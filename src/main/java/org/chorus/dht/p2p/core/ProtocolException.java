package org.chorus.dht.p2p.core;

/**
 * A peer broke a protocol rule. {@link #scope()} says what the error kills: the whole connection or
 * just one stream. The message reads "failed to ...: cause".
 */
public class ProtocolException extends RuntimeException {
  /** What a protocol error tears down. */
  public enum Scope {
    CONNECTION,
    STREAM
  }

  private final Scope scope;

  public ProtocolException(Scope scope, String message) {
    super(message);
    this.scope = scope;
  }

  public ProtocolException(Scope scope, String message, Throwable cause) {
    super(message, cause);
    this.scope = scope;
  }

  public static ProtocolException connection(String message) {
    return new ProtocolException(Scope.CONNECTION, message);
  }

  public static ProtocolException stream(String message) {
    return new ProtocolException(Scope.STREAM, message);
  }

  public Scope scope() {
    return scope;
  }
}
