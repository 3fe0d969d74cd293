package org.chorus.dht.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chorus.dht.storage.audit.AuditAnchor;
import org.chorus.dht.storage.audit.AuditCheckpoint;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditVerification;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the audit log's hash chain verifies and the start check found the log extending its
 * signed checkpoint ({@link AuditLog#anchor()}); DOWN for a broken chain, a cut tail, a rewritten
 * log, a checkpoint not signed by this node, or a log that takes no more lines (then every audited
 * operation fails, so the node should not be ready). Details: event lines, the last signed
 * checkpoint, the anchor state and, when DOWN, the {@code findings}. Verification reads the whole
 * log, so a result is reused for {@code recheck}; a broken chain stays DOWN (tampering does not
 * heal). Thread-safe: the cached result is published through a volatile field.
 */
final class AuditChainHealthIndicator implements HealthIndicator {

  private final AuditLog audit;
  private final Clock clock;
  private final Duration recheck;
  private volatile Checked last;

  AuditChainHealthIndicator(AuditLog audit, Clock clock, Duration recheck) {
    this.audit = audit;
    this.clock = clock;
    this.recheck = recheck;
  }

  private record Checked(AuditVerification result, Instant at) {}

  @Override
  public Health health() {
    Instant now = clock.instant();
    Checked checked = last;
    if (checked == null || (checked.result().ok() && !now.isBefore(checked.at().plus(recheck)))) {
      try {
        checked = new Checked(audit.verify(), now);
      } catch (RuntimeException e) {
        return Health.down().withDetail("error", "failed to verify: " + e.getMessage()).build();
      }
      last = checked;
    }
    AuditVerification v = checked.result();
    AuditAnchor anchor = audit.anchor();
    List<String> findings = new ArrayList<>();
    if (anchor.tampered()) {
      findings.add("tampering found at start (" + anchor.state().label() + "): " + anchor.detail());
    }
    if (!v.ok()) {
      findings.add(v.toString());
    }
    if (!audit.writable()) {
      findings.add(
          "the audit log takes no more lines (a write failed, or it is closed): operations it"
              + " audits fail with 503 until the node restarts");
    }
    Health.Builder builder = findings.isEmpty() ? Health.up() : Health.down();
    builder
        .withDetail("lines", audit.lines())
        .withDetail("linesChecked", v.linesChecked())
        .withDetail("checkedAt", checked.at().toString())
        .withDetail("anchor", anchor.state().label())
        .withDetail("anchorDetail", anchor.detail());
    AuditCheckpoint cp = audit.lastCheckpoint();
    if (cp != null) {
      Map<String, Object> checkpoint = new LinkedHashMap<>();
      checkpoint.put("lines", cp.lines());
      checkpoint.put("head", cp.head());
      checkpoint.put("at", cp.ts().toString());
      checkpoint.put("peer", cp.peer());
      builder.withDetail("lastCheckpoint", checkpoint);
    }
    if (!v.ok()) {
      builder.withDetail("brokenLine", v.brokenLine()).withDetail("reason", v.reason());
    }
    if (!findings.isEmpty()) {
      builder.withDetail("findings", findings);
    }
    return builder.build();
  }
}
