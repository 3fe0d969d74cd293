package org.chorus.dht.store;

/**
 * The data store could not be opened, written or made durable. The one failure type of {@link
 * DataStore}: the stores built on it let it through, and the API answers it with 503.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
