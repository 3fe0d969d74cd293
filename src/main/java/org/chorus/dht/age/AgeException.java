package org.chorus.dht.age;

import java.io.IOException;

/**
 * Base type of every age failure. Subtypes say which stage failed, so that a caller (and the CCTV
 * test vectors) can tell a wrong key from a malformed file from a damaged payload.
 */
public class AgeException extends IOException {

  public AgeException(String message) {
    super(message);
  }

  public AgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
