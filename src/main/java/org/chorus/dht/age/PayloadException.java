package org.chorus.dht.age;

/**
 * The STREAM payload is damaged: a chunk failed authentication, the file is truncated (no final
 * chunk), or data follows the final chunk. Plaintext handed out before this exception was
 * authenticated; the stream as a whole is not complete.
 */
public final class PayloadException extends AgeException {

  public PayloadException(String message) {
    super(message);
  }

  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
