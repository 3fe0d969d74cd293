package org.chorus.dht.envelope;

import java.util.Objects;

/**
 * A record under {@code /CHORUS/ucxl/} is refused: malformed, mis-keyed, too large, tampered with
 * (a signature or hash that does not verify) or written without authority.
 */
public class InvalidEnvelopeException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why; maps onto the kad refusal reasons. */
  public enum Kind {
    MALFORMED,
    TOO_LARGE,
    BAD_SIGNATURE,
    UNAUTHORIZED
  }

  private final Kind kind;

  public InvalidEnvelopeException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public InvalidEnvelopeException(String message) {
    this(Kind.MALFORMED, message);
  }

  public InvalidEnvelopeException(String message, Throwable cause) {
    super(message, cause);
    this.kind = Kind.MALFORMED;
  }

  public Kind kind() {
    return kind;
  }
}
