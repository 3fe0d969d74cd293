package org.chorus.dht.backend;

/**
 * A backend refused a record because of what it is, not because of a failure: the caller can fix it
 * ({@link Reason#TOO_LARGE}, {@link Reason#INVALID_KEY}) or retry later ({@link
 * Reason#STORE_FULL}). The storage layer maps {@code TOO_LARGE} to HTTP 413.
 */
public class RecordRejectedException extends DhtBackendException {

  private static final long serialVersionUID = 1L;

  /** Why a record was refused. */
  public enum Reason {
    /** The value is larger than the backend's cap. */
    TOO_LARGE,
    /** The store holds its maximum number of records. */
    STORE_FULL,
    /** The key is empty, too long or contains a NUL character. */
    INVALID_KEY
  }

  private final Reason reason;

  public RecordRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
