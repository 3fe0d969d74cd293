package org.chorus.dht.system;

import java.time.Clock;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link DhtBackend}: the embedded {@link LocalDht} in the data directory (the default when no
 * bootstrap peers are configured; the network backends plug in here).
 */
@Configuration(proxyBeanMethods = false)
class BackendConfiguration {

  @Bean(destroyMethod = "close")
  LocalDht localDht(ChorusProperties properties, Clock clock) {
    return LocalDht.open(
        LocalDhtConfig.builder(properties.dataDir(), properties.effectiveNodeId())
            .maxValueBytes(maxEnvelopeBytes(properties.storage()))
            .valueTtl(properties.dht().localValueTtl())
            .build(),
        clock);
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
