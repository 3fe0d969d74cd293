package org.chorus.dht.system;

import java.time.Clock;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.store.DataStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The embedded {@link LocalDht} in the data directory: the node's whole backend with {@code
 * chorus.dht.backend=local}, the synced first copy under the hybrid backend (the default); the
 * network backend is wired by {@link NetworkBackendConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NetworkBackendCondition.Local.class)
@EnableScheduling
class BackendConfiguration {

  /** Sweeps expired values and provider records out of the embedded store. */
  @Bean
  LocalDhtExpiry localDhtExpiry(LocalDht dht) {
    return new LocalDhtExpiry(dht);
  }

  /** The thin scheduling adapter around {@link LocalDht#expireNow()}. */
  static final class LocalDhtExpiry {
    private final LocalDht dht;

    LocalDhtExpiry(LocalDht dht) {
      this.dht = dht;
    }

    @Scheduled(fixedDelayString = "${chorus.dht.expire-interval:10m}", initialDelayString = "1m")
    void expire() {
      dht.expireNow();
    }
  }

  /**
   * The embedded store, named by the node's libp2p peer id (the id in its stats and provider
   * records, whatever the backend).
   */
  @Bean(destroyMethod = "close")
  LocalDht localDht(
      ChorusProperties properties, IdentityKey identity, Clock clock, DataStore dataStore) {
    return LocalDht.open(
        LocalDhtConfig.builder(properties.dataDir(), identity.peerId().toString())
            .maxValueBytes(maxEnvelopeBytes(properties.storage()))
            .valueTtl(properties.dht().localValueTtl())
            .build(),
        clock,
        dataStore);
  }

  /**
   * Above the storage service's own envelope cap (base64 of the content plus overhead), so the
   * backend never refuses an envelope the service accepted.
   */
  static int maxEnvelopeBytes(ChorusProperties.Storage storage) {
    long content = storage.maxContentSize().toBytes();
    return (int)
        Math.min(
            Integer.MAX_VALUE - 16,
            Math.max(LocalDhtConfig.DEFAULT_MAX_VALUE_BYTES, content * 2 + 128 * 1024));
  }
}
