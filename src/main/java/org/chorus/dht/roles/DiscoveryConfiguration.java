package org.chorus.dht.roles;

import java.time.Clock;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.system.ChorusProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Wires {@link PeerDiscovery} over the active backend and the node identity, with its state in the
 * data directory, and re-announces shortly after start and then every {@code
 * chorus.roles.reannounce-interval} (default 22 h, inside the 48 h provider expiry and {@link
 * org.chorus.dht.kad.records.PeerRecord#DEFAULT_LIFETIME}).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class DiscoveryConfiguration {

  private static final Logger log = LoggerFactory.getLogger(DiscoveryConfiguration.class);

  @Bean
  PeerDiscovery peerDiscovery(
      DhtBackend backend,
      IdentityKey identity,
      RoleKeys roleKeys,
      ChorusProperties properties,
      Clock clock) {
    return new PeerDiscovery(
        backend,
        identity,
        roleKeys,
        new AnnouncementStore(properties.dataDir()),
        HostConfig.DEFAULT_AGENT_VERSION,
        clock);
  }

  @Bean
  Reannouncer reannouncer(PeerDiscovery discovery) {
    return new Reannouncer(discovery);
  }

  /** The thin scheduling adapter around {@link PeerDiscovery#reannounce()}; failures are logged. */
  static final class Reannouncer {
    private final PeerDiscovery discovery;

    Reannouncer(PeerDiscovery discovery) {
      this.discovery = discovery;
    }

    @Scheduled(
        initialDelayString = "${chorus.roles.announce-initial-delay:5s}",
        fixedDelayString = "${chorus.roles.reannounce-interval:22h}")
    void reannounce() {
      try {
        discovery
            .reannounce()
            .ifPresent(
                a ->
                    log.info(
                        "re-announced role {} and capabilities {}",
                        a.role().orElse("(none)"),
                        a.capabilities()));
      } catch (RuntimeException e) {
        log.warn("re-announcing role and capabilities failed: {}", e.toString());
      }
    }
  }
}
