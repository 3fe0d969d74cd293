package org.chorus.dht.health;

import java.time.Clock;
import java.time.Duration;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health indicators that grade real state (DESIGN.md, Actuator): the data directory accepts writes,
 * the record store answers, the audit chain is intact, the node is part of the network ({@link
 * DhtHealthIndicator}, knobs {@code chorus.health.dht.*}). All four are in the readiness group;
 * liveness is only the application's own state, so a full disk or a lost network makes the node
 * unready rather than restarting it.
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
  HealthIndicator dht(
      ObjectProvider<NetworkDht> network,
      ObjectProvider<HybridDht> hybrid,
      ObjectProvider<ReplicationHealthSource> replication,
      ChorusProperties properties,
      Clock clock,
      @Value("${chorus.health.dht.start-grace:2m}") Duration startGrace,
      @Value("${chorus.health.dht.max-query-silence:15m}") Duration maxQuerySilence,
      @Value("${chorus.health.dht.max-reprovide-lag:2h}") Duration maxReprovideLag) {
    return new DhtHealthIndicator(
        network.getIfAvailable(),
        hybrid.getIfAvailable(),
        properties.dht().bootstrapPeers().stream().anyMatch(p -> p != null && !p.isBlank()),
        () -> replication.orderedStream().toList(),
        clock,
        new DhtHealthIndicator.Settings(startGrace, maxQuerySilence, maxReprovideLag));
  }

  @Bean
  HealthIndicator auditChain(AuditLog audit, Clock clock) {
    return new AuditChainHealthIndicator(audit, clock, AUDIT_RECHECK);
  }
}
