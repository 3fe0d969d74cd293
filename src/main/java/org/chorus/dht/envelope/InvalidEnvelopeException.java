package org.chorus.dht.envelope;

/** A record under {@code /CHORUS/ucxl/} is malformed, tampered with, mis-keyed or too large. */
public class InvalidEnvelopeException extends Exception {

  private static final long serialVersionUID = 1L;

  public InvalidEnvelopeException(String message) {
    super(message);
  }

  public InvalidEnvelopeException(String message, Throwable cause) {
    super(message, cause);
  }
}
