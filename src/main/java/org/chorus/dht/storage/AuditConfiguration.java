package org.chorus.dht.storage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.storage.audit.AuditAnchor;
import org.chorus.dht.storage.audit.AuditCheckpoint;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditLogConfig;
import org.chorus.dht.storage.audit.AuditSigner;
import org.chorus.dht.storage.audit.AuditVerification;
import org.chorus.dht.storage.audit.RemoteAuditConfig;
import org.chorus.dht.storage.audit.RemoteRecordAudit;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.system.ChorusProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The audit log and what writes to it besides {@link EncryptedStorage}: the admin actions ({@link
 * ApiAudit}) and the records peers send ({@link RemoteRecordAudit}, on nodes with the network
 * backend). Knobs {@code chorus.audit.*}; meters {@code chorus.audit.*}.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AuditConfiguration.class);

  /**
   * The audit log, checkpoints signed by the node identity key, checked once at startup (chain and
   * checkpoint): a finding is logged and counted (the auditChain health indicator then reports
   * DOWN) but does not stop the node.
   */
  @Bean(destroyMethod = "close")
  AuditLog auditLog(
      ChorusProperties p,
      StorageConfig config,
      IdentityKey identity,
      StorageMetrics metrics,
      MeterRegistry registry,
      Clock clock,
      DataStore dataStore,
      @Value("${chorus.audit.checkpoint-every:" + AuditLogConfig.DEFAULT_CHECKPOINT_EVERY + "}")
          int checkpointEvery) {
    AuditLog audit =
        AuditLog.open(
            AuditLogConfig.defaults(p.dataDir(), config.nodeId())
                .withCheckpointEvery(checkpointEvery),
            AuditSigner.of(identity),
            clock);
    audit.joinTo(dataStore);
    report(audit, metrics);
    Gauge.builder("chorus.audit.tampered", audit, a -> a.anchor().tampered() ? 1 : 0)
        .description("1 when the start check found the audit log cut, rewritten or re-signed")
        .register(registry);
    Gauge.builder("chorus.audit.checkpoint.lines", audit, AuditConfiguration::checkpointLines)
        .description("lines covered by the last signed audit checkpoint (going back: a rollback)")
        .register(registry);
    FunctionCounter.builder("chorus.audit.checkpoints", audit, AuditLog::checkpointsWritten)
        .description("signed audit checkpoint files written")
        .register(registry);
    return audit;
  }

  private static double checkpointLines(AuditLog audit) {
    AuditCheckpoint cp = audit.lastCheckpoint();
    return cp == null ? 0 : cp.lines();
  }

  /** Says what the start check found: loudly (ERROR) for tampering and a broken chain. */
  private static void report(AuditLog audit, StorageMetrics metrics) {
    String file = audit.config().file().toAbsolutePath().toString();
    AuditAnchor anchor = audit.anchor();
    AuditVerification chain = audit.startVerification();
    if (anchor.tampered()) {
      metrics.auditFailure();
      log.error(
          "AUDIT LOG TAMPERING DETECTED in {} ({}): {}. The auditChain health indicator is DOWN"
              + " and {} is kept as found, so this is reported at every start: keep both files as"
              + " evidence, then move them aside to begin a new log.",
          file,
          anchor.state().label(),
          anchor.detail(),
          AuditLogConfig.CHECKPOINT_FILE_NAME);
    } else if (anchor.state() == AuditAnchor.State.UNANCHORED) {
      log.warn(
          "Audit log {} is unanchored: {}. A first signed checkpoint was written; from now on a"
              + " cut or rewritten log is detected at start.",
          file,
          anchor.detail());
    } else {
      log.info("Audit log {}: {}", file, anchor.detail());
    }
    if (chain.ok()) {
      log.info("Audit log {}: {}", file, chain);
    } else {
      metrics.auditFailure();
      log.error("AUDIT LOG TAMPERING DETECTED in {}: {}", file, chain);
    }
  }

  @Bean
  ApiAudit apiAudit(AuditLog audit, StorageMetrics metrics) {
    return new ApiAudit(audit, metrics);
  }

  /**
   * Audit lines for the records peers send, when this node runs the network backend (hybrid or
   * network); idle otherwise. Closed before the audit log (it depends on it). Records a peer puts
   * while the kad server starts, before this listener is added, are not audited.
   */
  @Bean(destroyMethod = "close")
  RemoteRecordAudit remoteRecordAudit(
      AuditLog audit,
      StorageMetrics metrics,
      ObjectProvider<NetworkDht> network,
      MeterRegistry registry,
      Clock clock,
      @Value(
              "${chorus.audit.remote.queue-capacity:"
                  + RemoteAuditConfig.DEFAULT_QUEUE_CAPACITY
                  + "}")
          int queueCapacity,
      @Value(
              "${chorus.audit.remote.refused-per-peer:"
                  + RemoteAuditConfig.DEFAULT_REFUSED_PER_PEER
                  + "}")
          int refusedPerPeer,
      @Value("${chorus.audit.remote.refused-total:" + RemoteAuditConfig.DEFAULT_REFUSED_TOTAL + "}")
          int refusedTotal) {
    RemoteAuditConfig config =
        RemoteAuditConfig.DEFAULT
            .withQueueCapacity(queueCapacity)
            .withRefused(refusedPerPeer, refusedTotal);
    RemoteRecordAudit remote = new RemoteRecordAudit(audit, config, clock, metrics::auditFailure);
    FunctionCounter.builder("chorus.audit.remote.lines", remote, RemoteRecordAudit::written)
        .description("audit lines written for records peers sent")
        .register(registry);
    FunctionCounter.builder("chorus.audit.remote.dropped", remote, RemoteRecordAudit::dropped)
        .description("remote-write audit lines dropped: queue full or audit closed")
        .register(registry);
    FunctionCounter.builder("chorus.audit.remote.suppressed", remote, RemoteRecordAudit::suppressed)
        .description("remote-write events over a per-minute budget, summed into aggregate lines")
        .register(registry);
    Gauge.builder("chorus.audit.remote.queued", remote, RemoteRecordAudit::queued)
        .description("remote-write audit lines waiting to be written")
        .register(registry);
    NetworkDht dht = network.getIfAvailable();
    if (dht != null) {
      dht.dht().addRecordListener(remote);
      remote.start();
    }
    return remote;
  }
}
