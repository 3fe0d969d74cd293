package org.chorus.dht.system;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The network {@link org.chorus.dht.backend.DhtBackend} (DESIGN.md, "Kademlia"): active when {@code
 * chorus.dht.bootstrap-peers} is non-empty or {@code chorus.dht.backend=network} (see {@link
 * NetworkBackendCondition}). Uses the node identity ({@link NodeIdentity}) as libp2p identity,
 * listens on {@code chorus.dht.listen}, opens the persistent kad stores, starts the {@link Dht} and
 * bootstraps it. A bootstrap that fails is logged; the node starts anyway and the periodic refresh
 * keeps trying to fill the routing table.
 *
 * <p>Shutdown: the bean's {@code close} stops the Dht, then the host, then the stores.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NetworkBackendCondition.class)
@EnableScheduling
class NetworkBackendConfiguration {

  private static final Logger log = LoggerFactory.getLogger(NetworkBackendConfiguration.class);

  /** Longest wait for listening and for the bootstrap at start. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  /** Longest wait of one backend call (a kad query plus a margin). */
  static final Duration OPERATION_TIMEOUT =
      KadConfig.DEFAULT_QUERY_TIMEOUT.plus(Duration.ofSeconds(5));

  @Bean(destroyMethod = "close")
  NetworkDht networkDht(ChorusProperties properties, IdentityKey identity, Clock clock) {
    ChorusProperties.Dht conf = properties.dht();
    KadConfig.Mode mode = KadConfig.Mode.valueOf(conf.mode().trim().toUpperCase(Locale.ROOT));
    KadConfig kad =
        KadConfig.builder().protocolPrefix(conf.protocolPrefix()).mode(mode).build().validate();
    List<Multiaddr> listen =
        conf.listen().stream().map(String::trim).map(Multiaddr::parse).toList();
    List<Multiaddr> bootstrap =
        conf.bootstrapPeers().stream()
            .filter(p -> p != null && !p.isBlank())
            .map(String::trim)
            .map(Multiaddr::parse)
            .toList();
    Path dataDir = properties.dataDir();

    Host host = Host.create(HostConfig.DEFAULT, identity);
    MvRecordStore records = null;
    MvProviderStore providers = null;
    Dht dht = null;
    try {
      for (Multiaddr addr : listen) {
        Multiaddr bound = await(host.listen(addr), "listen on " + addr);
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
              ChorusValidators.create(BackendConfiguration.maxEnvelopeBytes(properties.storage())),
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
            Math.max(1, properties.storage().replicationFactor()),
            OPERATION_TIMEOUT,
            clock);
    bootstrap(backend, bootstrap);
    return backend;
  }

  /** Bootstraps; a failure or a timeout is logged, not fatal. */
  static void bootstrap(NetworkDht backend, List<Multiaddr> peers) {
    if (peers.isEmpty()) {
      log.info("no bootstrap peers configured: waiting for peers to connect");
      return;
    }
    try {
      int size =
          backend.bootstrap(peers).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).intValue();
      if (size > 0) {
        log.info("kad bootstrap done: {} peers in the routing table", size);
      } else {
        log.warn("kad bootstrap reached none of {}; the periodic refresh will retry", peers);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("kad bootstrap interrupted");
    } catch (ExecutionException | TimeoutException e) {
      log.warn("kad bootstrap to {} failed: {}", peers, e.toString());
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) {
    try {
      return f.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + ": timed out", e);
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

  @Bean
  NetworkDhtJobs networkDhtJobs(NetworkDht dht) {
    return new NetworkDhtJobs(dht);
  }

  /** The scheduled jobs: routing table refresh and the expiry sweep of the local stores. */
  static final class NetworkDhtJobs {
    private final NetworkDht dht;

    NetworkDhtJobs(NetworkDht dht) {
      this.dht = dht;
    }

    @Scheduled(fixedDelayString = "${chorus.dht.refresh-interval:10m}", initialDelayString = "10m")
    void refresh() {
      if (!dht.isOpen()) {
        return;
      }
      dht.refresh()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.warn("kad refresh failed: {}", e.toString());
                }
              });
    }

    @Scheduled(fixedDelayString = "${chorus.dht.expire-interval:10m}", initialDelayString = "1m")
    void expire() {
      dht.expireNow();
    }
  }
}
