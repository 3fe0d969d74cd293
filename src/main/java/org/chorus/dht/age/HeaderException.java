package org.chorus.dht.age;

/**
 * The header is malformed or invalid: a syntax error, an unsupported version, or a semantic error
 * found while unwrapping (low-order share, wrong argument count, bad file key size, an scrypt
 * stanza that is not alone, a missing payload nonce).
 */
public final class HeaderException extends AgeException {

  public HeaderException(String message) {
    super(message);
  }

  public HeaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
