package org.chorus.dht.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditVerification;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the audit log's hash chain verifies. Verification reads the whole log, so a result is
 * reused for {@code recheck}; a broken chain stays DOWN (tampering does not heal). Thread-safe: the
 * cached result is published through a volatile field.
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
    Health.Builder builder = v.ok() ? Health.up() : Health.down();
    builder
        .withDetail("linesChecked", v.linesChecked())
        .withDetail("checkedAt", checked.at().toString());
    if (!v.ok()) {
      builder.withDetail("brokenLine", v.brokenLine()).withDetail("reason", v.reason());
    }
    return builder.build();
  }
}
