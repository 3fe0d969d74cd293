package org.chorus.dht.storage.audit;

/**
 * The outcome of {@link AuditLog#verify()} or {@link AuditLog#verifyIncremental()}: either the
 * chain is intact over the {@code linesChecked} lines read, or it breaks at line {@code brokenLine}
 * (1-based, counted from the start of the file) for {@code reason}, after {@code linesChecked}
 * intact lines were read.
 */
public record AuditVerification(boolean ok, long linesChecked, long brokenLine, String reason) {

  static AuditVerification intact(long lines) {
    return new AuditVerification(true, lines, 0, null);
  }

  @Override
  public String toString() {
    return ok
        ? "audit chain intact (" + linesChecked + " lines)"
        : "audit chain broken at line " + brokenLine + ": " + reason;
  }
}
