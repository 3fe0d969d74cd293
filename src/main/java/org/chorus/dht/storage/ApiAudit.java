package org.chorus.dht.storage;

import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's side of the audit log: appends the line of an admin action, and turns a failed append
 * into a 503 problem ({@link #failed}), so that no operation is acknowledged whose audit line was
 * not written. Public for the admin actions of other feature packages (the peer deny-list).
 * Thread-safe (the log and the meters are).
 */
public final class ApiAudit {

  private static final Logger log = LoggerFactory.getLogger(ApiAudit.class);

  private final AuditLog audit;
  private final StorageMetrics metrics;

  ApiAudit(AuditLog audit, StorageMetrics metrics) {
    this.audit = audit;
    this.metrics = metrics;
  }

  /**
   * Appends a line for {@code caller}'s {@code operation} (call it before the action takes effect,
   * so that no action happens unaudited).
   *
   * @throws ApiException 503 if the line cannot be written
   */
  public void record(ChorusPrincipal caller, String operation, String address, String outcome) {
    try {
      audit.append(
          new AuditEvent(
              caller == null ? null : caller.name(),
              caller == null ? null : caller.role(),
              address,
              operation,
              outcome,
              0));
    } catch (RuntimeException e) {
      throw failed(metrics, operation, address, e);
    }
  }

  /**
   * Counts and logs a failed audit append and returns the 503 problem the operation answers with.
   * The detail names no file: the cause is in the node log.
   */
  static ApiException failed(
      StorageMetrics metrics, String operation, String address, RuntimeException cause) {
    metrics.auditFailure();
    log.error(
        "Failed to write audit line for {} {}, so the operation fails: {}",
        operation,
        address,
        cause.toString());
    return new ApiException(
        503,
        "audit-unavailable",
        "Audit log unavailable",
        "the audit line for this "
            + operation
            + " could not be written, so it is not acknowledged; the node log says why");
  }
}
