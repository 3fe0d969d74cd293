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
import org.chorus.dht.kad.records.ProvenPeers;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.host.Refusal;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.store.DataStore;
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
      ChorusProperties properties,
      IdentityKey identity,
      WriteAuthority authority,
      Clock clock,
      DataStore dataStore) {
    ChorusProperties.Dht conf = properties.dht();
    KadConfig.Mode mode = KadConfig.Mode.valueOf(conf.mode().trim().toUpperCase(Locale.ROOT));
    KadConfig.Builder kadBuilder = KadConfig.builder().protocolPrefix(conf.protocolPrefix());
    if (!conf.refreshInterval().isZero() && !conf.refreshInterval().isNegative()) {
      kadBuilder.refreshInterval(conf.refreshInterval());
    }
    KadConfig kad = kadBuilder.mode(mode).limits(kadLimits(conf.limits().kad())).build().validate();
    List<Multiaddr> listen =
        conf.listen().stream().map(String::trim).map(Multiaddr::parse).toList();
    Path dataDir = properties.dataDir();

    Host host = Host.create(hostConfig(conf), identity, clock);
    MvRecordStore records = null;
    MvProviderStore providers = null;
    Dht dht = null;
    try {
      for (Multiaddr addr : listen) {
        Multiaddr bound = listen(host, addr);
        log.info("libp2p listening on {}/p2p/{}", bound, host.peerId());
      }
      records = MvRecordStore.open(dataStore, clock);
      providers =
          MvProviderStore.open(
              dataStore, clock, verifiedProviders(host.peerId(), records, authority, clock));
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
      host.retainPeers(dht.routingTable()::contains);
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
   * {@code chorus.dht.limits.*}, {@code allowed-peers}, {@code denied-peers} and {@code
   * swarm-key-file} mapped onto the host's config (its defaults otherwise); a bad value fails the
   * start naming the property.
   */
  static HostConfig hostConfig(ChorusProperties.Dht conf) {
    ChorusProperties.Limits l = conf.limits();
    try {
      ConnectionLimits limits =
          ConnectionLimits.builder()
              .maxInboundConnections(l.maxInboundConnections())
              .maxOutboundConnections(l.maxOutboundConnections())
              .maxInboundPerIp(l.maxInboundPerIp())
              .maxConnectionsPerPeer(l.maxConnectionsPerPeer())
              .handshakeTimeout(l.handshakeTimeout())
              .maxConnectionMemory(l.maxConnectionMemory().toBytes())
              .maxMemory(l.maxMemory().toBytes())
              .build();
      YamuxConfig yamux =
          new YamuxConfig(
              YamuxConfig.DEFAULT_INITIAL_WINDOW,
              l.maxStreamsPerConnection(),
              YamuxConfig.DEFAULT_MAX_FRAME_DATA,
              YamuxConfig.DEFAULT_MAX_SEND_BUFFER);
      return HostConfig.builder()
          .limits(limits)
          .yamux(yamux)
          .maxPeers(l.maxPeers())
          .peerTtl(l.peerTtl())
          .peerGcInterval(l.peerGcInterval())
          .allowedPeers(peerIds("chorus.dht.allowed-peers", conf.allowedPeers()))
          .deniedPeers(peerIds("chorus.dht.denied-peers", conf.deniedPeers()))
          .swarmKey(privateNetwork(conf))
          .build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid chorus.dht.limits / peer lists: " + e.getMessage(), e);
    }
  }

  /** The peer ids of a list property (blank entries skipped); a bad one names its index. */
  static java.util.Set<PeerId> peerIds(String property, List<String> values) {
    java.util.Set<PeerId> out = new java.util.LinkedHashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (v == null || v.isBlank()) {
        continue;
      }
      try {
        out.add(PeerId.parse(v.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            property + "[" + i + "] is not a peer id (" + v.trim() + "): " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * {@code chorus.dht.limits.kad.*} over the defaults of {@link KadConfig.Limits} (an unset
   * property keeps its default); validated with the rest of the kad config.
   */
  static KadConfig.Limits kadLimits(ChorusProperties.KadLimits p) {
    KadConfig.Limits d = KadConfig.Limits.defaults();
    return new KadConfig.Limits(
        p.workerThreads() != null ? p.workerThreads() : d.workerThreads(),
        p.workQueue() != null ? p.workQueue() : d.workQueue(),
        p.workQueueBytes() != null ? p.workQueueBytes().toBytes() : d.workQueueBytes(),
        p.requestsPerSecond() != null ? p.requestsPerSecond() : d.requestsPerSecond(),
        p.requestBurst() != null ? p.requestBurst() : d.requestBurst(),
        p.maxRateLimitedPeers() != null ? p.maxRateLimitedPeers() : d.maxRateLimitedPeers(),
        p.maxRecordsPerPeer() != null ? p.maxRecordsPerPeer() : d.maxRecordsPerPeer(),
        p.maxBytesPerPeer() != null ? p.maxBytesPerPeer().toBytes() : d.maxBytesPerPeer());
  }

  /**
   * Which providers a full provider key never evicts: this node, and peers whose peer record in
   * this node's record store proves their role claim ({@link ProvenPeers}: a local read, no network
   * I/O).
   */
  static java.util.function.Predicate<PeerId> verifiedProviders(
      PeerId self, MvRecordStore records, WriteAuthority authority, Clock clock) {
    ProvenPeers proven = new ProvenPeers(records, authority::signerKey, clock);
    return id -> id.equals(self) || proven.test(id);
  }

  /** The private network of {@code chorus.dht.swarm-key-file}, or none when it is not set. */
  static SwarmKey privateNetwork(ChorusProperties.Dht conf) {
    if (conf.swarmKeyFile() == null) {
      return null;
    }
    SwarmKey key = swarmKey(conf.swarmKeyFile());
    log.info(
        "private network: connecting only to peers with the swarm key of {} (fingerprint {})",
        conf.swarmKeyFile(),
        key.fingerprint());
    return key;
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
          bindHostMeters(r, backend.host());
          bindKadLimits(r, backend.dht());
          bindPrivateNetworkRefusals(r, backend.host());
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
   * {@code chorus.p2p.connections{direction}} (slots in use: open connections and those being
   * upgraded), {@code chorus.p2p.refused{reason}} (one counter per {@link Refusal}, all registered
   * up front), {@code chorus.p2p.memory.used}, {@code chorus.p2p.peer.store.size} and {@code
   * chorus.p2p.denied.peers}: the connection limits at work.
   */
  private static void bindHostMeters(MeterRegistry registry, Host host) {
    for (Connection.Direction d : Connection.Direction.values()) {
      Gauge.builder("chorus.p2p.connections", host, h -> h.connectionCount(d))
          .description("libp2p connections open or being upgraded, by direction")
          .tag("direction", d.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    for (Refusal reason : Refusal.values()) {
      FunctionCounter.builder("chorus.p2p.refused", host, h -> h.refused(reason))
          .description("connections, dials and streams refused or closed by a limit, by reason")
          .tag("reason", reason.label())
          .register(registry);
    }
    Gauge.builder("chorus.p2p.memory.used", host, Host::memoryUsed)
        .description("bytes buffered for libp2p connections (against chorus.dht.limits.max-memory)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("chorus.p2p.peer.store.size", host, h -> h.peerStore().size())
        .description("entries in the libp2p peer store")
        .register(registry);
    Gauge.builder("chorus.p2p.denied.peers", host, h -> h.peerAccess().denied().size())
        .description("peers on the deny-list")
        .register(registry);
  }

  /**
   * {@code chorus.kad.requests.throttled} (peers' requests over their rate), {@code
   * chorus.kad.executor.queue.depth} and {@code chorus.kad.executor.refused} (the kad work pool),
   * {@code chorus.kad.providers.refused} and {@code chorus.kad.providers.evicted} (full provider
   * keys). Quota refusals are {@code chorus.dht.records.refused{reason="quota"}}.
   */
  private static void bindKadLimits(MeterRegistry registry, Dht dht) {
    FunctionCounter.builder("chorus.kad.requests.throttled", dht, Dht::requestsThrottled)
        .description("kad requests refused by the per-peer rate limit (stream reset)")
        .register(registry);
    Gauge.builder("chorus.kad.executor.queue.depth", dht, Dht::workQueued)
        .description("kad work waiting for a worker thread")
        .register(registry);
    FunctionCounter.builder("chorus.kad.executor.refused", dht, Dht::workRefused)
        .description("kad requests refused because the work queue was full (stream reset)")
        .register(registry);
    FunctionCounter.builder("chorus.kad.providers.refused", dht, Dht::providersRefused)
        .description("provider records refused by a cap (every slot of a key verified, keys)")
        .register(registry);
    FunctionCounter.builder("chorus.kad.providers.evicted", dht, Dht::providersEvicted)
        .description("unverified providers evicted from a full key for a newcomer")
        .register(registry);
  }

  /**
   * {@code chorus.p2p.refused{reason=pnet}}: connections refused by the private network protector
   * (peers with another swarm key or none; 0 in the public network).
   */
  private static void bindPrivateNetworkRefusals(MeterRegistry registry, Host host) {
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
