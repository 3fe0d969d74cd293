package org.chorus.dht.health;

import java.time.Clock;
import java.time.Duration;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health indicators that grade real state (DESIGN.md, Actuator): the data directory accepts writes,
 * the record store answers, the audit chain is intact. All three are in the readiness group;
 * liveness is only the application's own state, so a full disk makes the node unready rather than
 * restarting it.
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

  /** How long an audit chain verification result is reused; verifying reads the whole log. */
  static final Duration AUDIT_RECHECK = Duration.ofSeconds(60);

  @Bean
  HealthIndicator storageWritable(ChorusProperties properties) {
    return new StorageWritableHealthIndicator(properties.dataDir());
  }

  @Bean
  HealthIndicator recordStore(DhtBackend backend) {
    return new RecordStoreHealthIndicator(backend);
  }

  @Bean
  HealthIndicator auditChain(AuditLog audit, Clock clock) {
    return new AuditChainHealthIndicator(audit, clock, AUDIT_RECHECK);
  }
}
