package org.chorus.dht.system;

import org.chorus.dht.p2p.core.Multiaddr;

/**
 * The libp2p listener could not be bound at start ({@code chorus.dht.listen}); the message names
 * the property, the address and the reason. {@link ListenFailureAnalyzer} turns it into Spring
 * Boot's start-failure report.
 */
public final class ListenFailedException extends IllegalStateException {

  /** The property whose value could not be bound. */
  public static final String PROPERTY = "chorus.dht.listen";

  private final transient Multiaddr address;
  private final String reason;

  ListenFailedException(Multiaddr address, String reason, Throwable cause) {
    super("failed to listen on " + address + " (" + PROPERTY + "): " + reason, cause);
    this.address = address;
    this.reason = reason;
  }

  public Multiaddr address() {
    return address;
  }

  public String reason() {
    return reason;
  }
}
