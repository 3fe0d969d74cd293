package org.chorus.dht.replication;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.health.ReplicationHealthSource;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Wires the {@link ReplicationManager} over the active backend ({@link KadReplicaNetwork} with
 * target {@code chorus.replication.factor} whenever a {@link NetworkDht} bean exists, i.e. on the
 * network backend or under a hybrid one; {@link LocalReplicaNetwork} and target 1 otherwise), its
 * state store in the data directory, the scheduling adapters and the {@code chorus_replication_*}
 * meters.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ReplicationConfiguration {

  @Bean
  ReplicationConfig replicationConfig(ChorusProperties properties) {
    ChorusProperties.Replication r = properties.replication();
    return ReplicationConfig.builder()
        .factor(r.factor())
        .reprovideInterval(r.reprovideInterval())
        .cleanupInterval(r.cleanupInterval())
        .providerTtl(r.providerTtl())
        .maxProvidersPerKey(r.maxProvidersPerKey())
        .maxConcurrentReplications(r.maxConcurrentReplications())
        .autoReplication(r.autoReplication())
        .reprovideEnabled(r.reprovideEnabled())
        .tickInterval(r.tickInterval())
        .repairBackoff(r.repairBackoff())
        .maxRepairBackoff(r.maxRepairBackoff())
        .maxKeys(r.maxKeys())
        .build()
        .validate();
  }

  @Bean(destroyMethod = "close")
  ReplicationStateStore replicationStateStore(DataStore dataStore) {
    return ReplicationStateStore.open(dataStore);
  }

  @Bean(destroyMethod = "close")
  ReplicationManager replicationManager(
      ReplicationConfig config,
      DhtBackend backend,
      ObjectProvider<NetworkDht> networkBackend,
      ReplicationStateStore store,
      Clock clock,
      MeterRegistry registry) {
    // a NetworkDht bean exists on the network backend and under a hybrid one: replicate over kad
    NetworkDht network =
        backend instanceof NetworkDht n ? n : networkBackend.getIfAvailable(() -> null);
    ReplicationManager manager =
        network != null
            ? new ReplicationManager(
                config, new KadReplicaNetwork(network), store, clock, config.factor())
            : new ReplicationManager(config, new LocalReplicaNetwork(backend), store, clock, 1);
    if (network != null) {
      // a node that was alone (or cut off) brings its keys to the peers the moment they join
      network.dht().addPeerListener(peer -> manager.peersJoined());
    }
    bindMeters(manager, registry);
    return manager;
  }

  /** The manager's figures for the {@code dht} health indicator (reprovide lag, critical keys). */
  @Bean
  ReplicationHealthSource replicationHealthSource(ReplicationManager manager) {
    return () ->
        new ReplicationHealthSource.Figures(
            java.time.Duration.ofSeconds(manager.reprovideLagSeconds()),
            manager.criticalKeys(),
            manager.trackedKeys());
  }

  /** Gauges and counters read from the manager (Prometheus: {@code chorus_replication_*}). */
  static void bindMeters(ReplicationManager m, MeterRegistry registry) {
    Gauge.builder("chorus.replication.keys", m, x -> x.metrics().keys())
        .description("Keys tracked for replication")
        .register(registry);
    Gauge.builder("chorus.replication.under.replicated", m, x -> x.metrics().underReplicated())
        .description("Keys below their replication target at the last count")
        .register(registry);
    Gauge.builder("chorus.replication.critical", m, ReplicationManager::criticalKeys)
        .description("Keys at one live copy or none at the last count")
        .register(registry);
    Gauge.builder("chorus.replication.in.flight", m, x -> x.metrics().inFlight())
        .description("Keys being replicated now")
        .register(registry);
    Gauge.builder("chorus.replication.reprovide.lag", m, ReplicationManager::reprovideLagSeconds)
        .description("How far behind schedule the oldest due key is")
        .baseUnit("seconds")
        .register(registry);
    FunctionCounter.builder("chorus.replication.repairs", m, x -> x.metrics().repairs())
        .description("Copies added by repairs")
        .register(registry);
    FunctionCounter.builder(
            "chorus.replication.repair.failures", m, x -> x.metrics().repairFailures())
        .description("Replication runs that ended below target")
        .register(registry);
    FunctionCounter.builder("chorus.replication.reprovides", m, x -> x.metrics().reprovides())
        .description("Republish and reprovide runs")
        .register(registry);
    FunctionCounter.builder("chorus.replication.lost", m, x -> x.metrics().lost())
        .description("Runs that found no copy of a key anywhere")
        .register(registry);
  }

  @Bean
  ReplicationJobs replicationJobs(ReplicationManager manager) {
    return new ReplicationJobs(manager);
  }

  /** The thin scheduling adapters: the tick and the state cleanup. */
  static final class ReplicationJobs {
    private final ReplicationManager manager;

    ReplicationJobs(ReplicationManager manager) {
      this.manager = manager;
    }

    @Scheduled(
        fixedDelayString = "${chorus.replication.tick-interval:1s}",
        initialDelayString = "${chorus.replication.tick-interval:1s}")
    void tick() {
      manager.tick();
    }

    @Scheduled(
        fixedDelayString = "${chorus.replication.cleanup-interval:1h}",
        initialDelayString = "${chorus.replication.cleanup-interval:1h}")
    void cleanup() {
      manager.cleanup();
    }
  }
}
