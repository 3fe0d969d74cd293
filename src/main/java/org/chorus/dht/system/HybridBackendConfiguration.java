package org.chorus.dht.system;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.backend.PendingPushQueue;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.store.DataStore;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The {@link HybridDht} (DESIGN.md, "Layers"): the default backend ({@code chorus.dht.backend}
 * {@code auto} or {@code hybrid}, with or without bootstrap peers; see {@link
 * NetworkBackendCondition}). It sits over the {@link NetworkDht} of {@link
 * NetworkBackendConfiguration} and the {@link LocalDht} of {@link BackendConfiguration}, and is the
 * {@code @Primary} {@link org.chorus.dht.backend.DhtBackend}, the one the storage layer gets.
 *
 * <p>Adds the {@code chorus.dht.hybrid.*} knobs ({@link HybridProperties}), a scheduled {@link
 * HybridDht#maintain()} and the meters {@code chorus.backend.active} (1 for the active backend, tag
 * {@code backend}), {@code chorus.backend.pending.pushes}, {@code chorus.backend.fallbacks} and
 * {@code chorus.backend.pushed}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NetworkBackendCondition.Hybrid.class)
@EnableConfigurationProperties(HybridBackendConfiguration.HybridProperties.class)
@EnableScheduling
class HybridBackendConfiguration {

  /** Longest wait of each step of the network probe (bootstrap, lookup). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

  /** Longest wait for one push (a kad put plus a margin; the backend has its own timeout). */
  static final Duration PUSH_TIMEOUT = KadConfig.DEFAULT_QUERY_TIMEOUT.plusSeconds(10);

  /**
   * Spring properties under {@code chorus.dht.hybrid}; they map onto {@link HybridDht.Config}.
   *
   * @param failureThreshold consecutive network failures before the local backend takes over
   * @param probeInterval period of the health check, probe and push round
   * @param drainConcurrency pushes in flight at once
   * @param retryBackoff wait after a failed push round, doubled per failed round
   * @param maxRetryBackoff cap of that wait
   */
  @ConfigurationProperties("chorus.dht.hybrid")
  record HybridProperties(
      @DefaultValue("3") int failureThreshold,
      @DefaultValue("5s") Duration probeInterval,
      @DefaultValue("4") int drainConcurrency,
      @DefaultValue("1s") Duration retryBackoff,
      @DefaultValue("1m") Duration maxRetryBackoff) {}

  @Bean(destroyMethod = "close")
  @Primary
  HybridDht hybridDht(
      NetworkDht network,
      LocalDht local,
      ChorusProperties properties,
      HybridProperties hybrid,
      Clock clock,
      DataStore dataStore) {
    HybridDht.Config config =
        new HybridDht.Config(
                hybrid.failureThreshold(),
                Math.max(1, properties.replication().factor()),
                hybrid.drainConcurrency(),
                HybridDht.Config.DEFAULT_DRAIN_BATCH,
                hybrid.retryBackoff(),
                hybrid.maxRetryBackoff(),
                PUSH_TIMEOUT)
            .validate();
    List<Multiaddr> peers =
        properties.dht().bootstrapPeers().stream()
            .filter(p -> p != null && !p.isBlank())
            .map(String::trim)
            .map(Multiaddr::parse)
            .toList();
    HybridDht.NetworkProbe probe = HybridDht.networkProbe(network, peers, PROBE_TIMEOUT);
    PendingPushQueue pending = PendingPushQueue.open(dataStore);
    try {
      HybridDht backend = new HybridDht(network, local, pending, probe, config, clock);
      // the network comes into use the moment the routing table has a peer (an event, not a poll)
      network.dht().addPeerListener(peer -> backend.networkAvailable());
      return backend;
    } catch (RuntimeException e) {
      pending.close();
      throw e;
    }
  }

  @Bean
  HybridMaintenance hybridMaintenance(HybridDht hybrid) {
    return new HybridMaintenance(hybrid);
  }

  /** The thin scheduling adapter around {@link HybridDht#maintain()}. */
  static final class HybridMaintenance {
    private final HybridDht hybrid;

    HybridMaintenance(HybridDht hybrid) {
      this.hybrid = hybrid;
    }

    @Scheduled(
        fixedDelayString = "${chorus.dht.hybrid.probe-interval:5s}",
        initialDelayString = "${chorus.dht.hybrid.probe-interval:5s}")
    void maintain() {
      hybrid.maintain();
    }
  }

  @Bean
  HybridMeters hybridMeters(HybridDht hybrid, MeterRegistry registry) {
    return new HybridMeters(hybrid, registry);
  }

  /** The hybrid backend's meters; registered once, read from the backend on scrape. */
  static final class HybridMeters {
    HybridMeters(HybridDht hybrid, MeterRegistry registry) {
      for (String name : List.of(NetworkDht.NAME, LocalDht.NAME)) {
        Gauge.builder("chorus.backend.active", hybrid, h -> h.activeName().equals(name) ? 1 : 0)
            .tag("backend", name)
            .description("1 for the backend reads and writes go to first")
            .register(registry);
      }
      Gauge.builder("chorus.backend.pending.pushes", hybrid, HybridDht::pendingPushes)
          .description("Writes queued for the network")
          .register(registry);
      FunctionCounter.builder("chorus.backend.fallbacks", hybrid, HybridDht::fallbacks)
          .description("Times the network backend was taken out of use automatically")
          .register(registry);
      FunctionCounter.builder("chorus.backend.pushed", hybrid, HybridDht::pushed)
          .description("Queued writes pushed to the network")
          .register(registry);
    }
  }
}
