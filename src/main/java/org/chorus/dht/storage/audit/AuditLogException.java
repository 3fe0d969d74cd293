package org.chorus.dht.storage.audit;

/** The audit log could not be opened or written. */
public class AuditLogException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public AuditLogException(String message, Throwable cause) {
    super(message, cause);
  }

  public AuditLogException(String message) {
    super(message);
  }
}
