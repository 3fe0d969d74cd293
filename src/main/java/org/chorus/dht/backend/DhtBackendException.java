package org.chorus.dht.backend;

/** A backend could not carry out an operation (I/O failure, closed store, rejected record). */
public class DhtBackendException extends RuntimeException {

  public DhtBackendException(String message) {
    super(message);
  }

  public DhtBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
