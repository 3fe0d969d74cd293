package org.chorus.dht.system;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.envelope.WriteAuthority;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.jobs.DhtMaintenance;
import org.chorus.dht.kad.jobs.DhtMaintenance.JobStats;
import org.chorus.dht.kad.jobs.MaintenanceConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The network {@link org.chorus.dht.backend.DhtBackend} (DESIGN.md, "Kademlia"): active when {@code
 * chorus.dht.bootstrap-peers} is non-empty or {@code chorus.dht.backend=network} (see {@link
 * NetworkBackendCondition}). Uses the node identity ({@link NodeIdentity}) as libp2p identity,
 * listens on {@code chorus.dht.listen}, opens the persistent kad stores and starts the {@link Dht}.
 * Start does not wait for the network: the {@link DhtMaintenance} bean bootstraps in the background
 * (at once, then every {@code chorus.dht.auto-bootstrap-interval} while the routing table is empty)
 * and runs the discovery, refresh, stale-peer and expiry jobs; until a bootstrap succeeds the stats
 * say {@code bootstrapped=false}.
 *
 * <p>Shutdown: the maintenance stops first (it depends on the backend), then the backend's {@code
 * close} stops the Dht, then the host, then the stores.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NetworkBackendCondition.class)
class NetworkBackendConfiguration {

  private static final Logger log = LoggerFactory.getLogger(NetworkBackendConfiguration.class);

  /** Longest wait for listening at start. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  /** Longest wait of one backend call (a kad query plus a margin). */
  static final Duration OPERATION_TIMEOUT =
      KadConfig.DEFAULT_QUERY_TIMEOUT.plus(Duration.ofSeconds(5));

  @Bean(destroyMethod = "close")
  NetworkDht networkDht(
      ChorusProperties properties, IdentityKey identity, WriteAuthority authority, Clock clock) {
    ChorusProperties.Dht conf = properties.dht();
    KadConfig.Mode mode = KadConfig.Mode.valueOf(conf.mode().trim().toUpperCase(Locale.ROOT));
    KadConfig.Builder kadBuilder = KadConfig.builder().protocolPrefix(conf.protocolPrefix());
    if (!conf.refreshInterval().isZero() && !conf.refreshInterval().isNegative()) {
      kadBuilder.refreshInterval(conf.refreshInterval());
    }
    KadConfig kad = kadBuilder.mode(mode).build().validate();
    List<Multiaddr> listen =
        conf.listen().stream().map(String::trim).map(Multiaddr::parse).toList();
    Path dataDir = properties.dataDir();

    Host host = Host.create(hostConfig(conf), identity);
    MvRecordStore records = null;
    MvProviderStore providers = null;
    Dht dht = null;
    try {
      for (Multiaddr addr : listen) {
        Multiaddr bound = listen(host, addr);
        log.info("libp2p listening on {}/p2p/{}", bound, host.peerId());
      }
      records = MvRecordStore.openInDataDir(dataDir, clock);
      providers = MvProviderStore.openInDataDir(dataDir, clock);
      dht =
          new Dht(
              host,
              kad,
              records,
              providers,
              ChorusValidators.create(
                  BackendConfiguration.maxEnvelopeBytes(properties.storage()), authority),
              clock,
              QueryTimer.SYSTEM);
      dht.start();
    } catch (RuntimeException e) {
      closeQuietly(dht);
      closeQuietly(host);
      closeQuietly(records);
      closeQuietly(providers);
      throw e;
    }
    NetworkDht backend =
        new NetworkDht(
            host,
            dht,
            records,
            providers,
            mode,
            Math.max(1, properties.replication().factor()),
            OPERATION_TIMEOUT,
            clock);
    return backend;
  }

  /**
   * The host's config: the defaults, plus the private network of {@code chorus.dht.swarm-key-file}
   * when it is set.
   */
  static HostConfig hostConfig(ChorusProperties.Dht conf) {
    HostConfig.Builder b = HostConfig.builder();
    if (conf.swarmKeyFile() != null) {
      SwarmKey key = swarmKey(conf.swarmKeyFile());
      log.info(
          "private network: connecting only to peers with the swarm key of {} (fingerprint {})",
          conf.swarmKeyFile(),
          key.fingerprint());
      b.swarmKey(key);
    }
    return b.build();
  }

  /**
   * Reads the swarm key; a missing, unreadable or malformed file fails the start with a {@link
   * SwarmKeyFileException} naming {@code chorus.dht.swarm-key-file}. A key file others may read is
   * only warned about (a Kubernetes Secret volume is group-readable).
   */
  static SwarmKey swarmKey(Path file) {
    SwarmKey key;
    try {
      key = SwarmKey.read(file);
    } catch (SwarmKey.FileException e) {
      throw new SwarmKeyFileException(file, e.reason(), e);
    }
    try {
      if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("the swarm key file {} is readable by every user: chmod 600 it", file);
      }
    } catch (java.io.IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
    return key;
  }

  /**
   * The configured bootstrap multiaddrs ({@code /dns4}, {@code /dns6} and no {@code /p2p} allowed).
   */
  static List<Multiaddr> bootstrapPeers(ChorusProperties.Dht conf) {
    return conf.bootstrapPeers().stream()
        .filter(p -> p != null && !p.isBlank())
        .map(String::trim)
        .map(Multiaddr::parse)
        .toList();
  }

  /** The intervals of {@code chorus.dht.*} mapped onto the maintenance config. */
  static MaintenanceConfig maintenanceConfig(ChorusProperties.Dht conf) {
    return MaintenanceConfig.builder()
        .autoBootstrapInterval(conf.autoBootstrapInterval())
        .discoveryInterval(conf.discoveryInterval())
        .refreshInterval(conf.refreshInterval())
        .stalePeerTimeout(conf.stalePeerTimeout())
        .staleCheckInterval(conf.staleCheckInterval())
        .expireInterval(conf.expireInterval())
        .build()
        .validate();
  }

  /**
   * Starts the node's life-cycle jobs, the background bootstrap first; destroyed before the backend
   * (it depends on it), so no job runs against a closed Dht.
   */
  @Bean(destroyMethod = "close")
  DhtMaintenance dhtMaintenance(
      NetworkDht backend,
      ChorusProperties properties,
      Clock clock,
      ObjectProvider<MeterRegistry> registry) {
    ChorusProperties.Dht conf = properties.dht();
    DhtMaintenance maintenance =
        new DhtMaintenance(
            backend.dht(),
            bootstrapPeers(conf),
            maintenanceConfig(conf),
            backend::expireNow,
            null,
            clock);
    registry.ifAvailable(
        r -> {
          bindMetrics(r, maintenance);
          bindDhtGauges(r, backend.dht());
          bindRefusals(r, backend.dht());
          bindConnectionRefusals(r, backend.host());
        });
    maintenance.start();
    return maintenance;
  }

  /** {@code chorus.dht.jobs.runs|failures|skipped{job=...}}: the maintenance counters. */
  private static void bindMetrics(MeterRegistry registry, DhtMaintenance maintenance) {
    for (DhtMaintenance.JobStats job : maintenance.stats()) {
      String name = job.job();
      FunctionCounter.builder(
              "chorus.dht.jobs.runs", maintenance, m -> count(m, name, JobStats::runs))
          .tag("job", name)
          .register(registry);
      FunctionCounter.builder(
              "chorus.dht.jobs.failures", maintenance, m -> count(m, name, JobStats::failures))
          .tag("job", name)
          .register(registry);
      FunctionCounter.builder(
              "chorus.dht.jobs.skipped", maintenance, m -> count(m, name, JobStats::skipped))
          .tag("job", name)
          .register(registry);
    }
  }

  /**
   * {@code chorus.dht.peers} (connected peers), {@code chorus.dht.routing.table.size}, {@code
   * chorus.dht.records} and {@code chorus.dht.provider.keys}: what the dashboard's DHT panels and
   * an operator's alerts read.
   */
  private static void bindDhtGauges(MeterRegistry registry, Dht dht) {
    Gauge.builder("chorus.dht.peers", dht, d -> d.stats().connectedPeers())
        .description("peers with an open connection")
        .register(registry);
    Gauge.builder("chorus.dht.routing.table.size", dht, d -> d.routingTable().size())
        .description("peers in the Kademlia routing table")
        .register(registry);
    Gauge.builder("chorus.dht.records", dht, d -> d.stats().records())
        .description("values held in the local record store")
        .register(registry);
    Gauge.builder("chorus.dht.provider.keys", dht, d -> d.stats().providerKeys())
        .description("keys with provider records in the local provider store")
        .register(registry);
  }

  /**
   * {@code chorus.dht.records.refused{reason,source}}: records from peers refused (PUTs and values
   * lookups received), one counter per reason, all registered up front so they read 0 until used.
   */
  private static void bindRefusals(MeterRegistry registry, Dht dht) {
    java.util.Map<String, io.micrometer.core.instrument.Counter> counters =
        new java.util.concurrent.ConcurrentHashMap<>();
    for (InvalidRecordException.Reason reason : InvalidRecordException.Reason.values()) {
      for (RecordListener.Source source : RecordListener.Source.values()) {
        counters.put(
            reason.label() + "/" + source,
            io.micrometer.core.instrument.Counter.builder("chorus.dht.records.refused")
                .description("records from peers refused, by reason")
                .tag("reason", reason.label())
                .tag("source", source.name().toLowerCase(Locale.ROOT))
                .register(registry));
      }
    }
    dht.addRecordListener(
        new RecordListener() {
          @Override
          public void refused(
              org.chorus.dht.p2p.core.PeerId from,
              byte[] key,
              Source source,
              InvalidRecordException.Reason reason,
              String detail) {
            counters.get(reason.label() + "/" + source).increment();
          }
        });
  }

  /**
   * {@code chorus.p2p.refused{reason=pnet}}: connections refused by the private network protector
   * (peers with another swarm key or none; 0 in the public network).
   */
  private static void bindConnectionRefusals(MeterRegistry registry, Host host) {
    FunctionCounter.builder("chorus.p2p.refused", host, Host::privateNetworkRefused)
        .description("libp2p connections refused, by reason")
        .tag("reason", "pnet")
        .register(registry);
  }

  private static double count(
      DhtMaintenance m, String job, java.util.function.ToLongFunction<JobStats> field) {
    return m.stats(job).map(field::applyAsLong).orElse(0L);
  }

  /**
   * Binds one listen address; a failure (most often the port in use by another node on the same
   * machine) fails the start with a {@link ListenFailedException} naming {@code chorus.dht.listen}.
   */
  private static Multiaddr listen(Host host, Multiaddr addr) {
    try {
      return host.listen(addr).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ListenFailedException(addr, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String reason =
          cause instanceof java.net.BindException
              ? "address already in use"
              : String.valueOf(cause.getMessage());
      throw new ListenFailedException(addr, reason, cause);
    } catch (TimeoutException e) {
      throw new ListenFailedException(addr, "timed out after " + START_TIMEOUT, e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("close failed: {}", e.toString());
    }
  }
}
