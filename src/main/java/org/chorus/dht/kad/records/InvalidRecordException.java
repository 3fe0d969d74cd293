package org.chorus.dht.kad.records;

/** A record failed validation: unknown namespace, malformed key, bad value or signature. */
public final class InvalidRecordException extends RuntimeException {
  public InvalidRecordException(String message) {
    super(message);
  }
}
