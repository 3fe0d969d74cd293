package org.chorus.dht.storage.audit;

/**
 * The outcome of {@link AuditLog#verify()}: either the chain is intact over {@code linesChecked}
 * lines, or it breaks at line {@code brokenLine} (1-based) for {@code reason}.
 */
public record AuditVerification(boolean ok, long linesChecked, long brokenLine, String reason) {

  static AuditVerification intact(long lines) {
    return new AuditVerification(true, lines, 0, null);
  }

  static AuditVerification broken(long line, String reason) {
    return new AuditVerification(false, line - 1, line, reason);
  }

  @Override
  public String toString() {
    return ok
        ? "audit chain intact (" + linesChecked + " lines)"
        : "audit chain broken at line " + brokenLine + ": " + reason;
  }
}
