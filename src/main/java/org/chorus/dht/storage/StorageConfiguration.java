package org.chorus.dht.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.roles.RoleAuthority;
import org.chorus.dht.roles.RoleKeys;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.envelope.IdentityEnvelopeSigner;
import org.chorus.dht.storage.index.MetadataIndex;
import org.chorus.dht.storage.index.MetadataIndexConfig;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Maps {@code chorus.*} onto {@link StorageConfig} and wires the storage service. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  @Bean
  StorageConfig storageConfig(ChorusProperties p) {
    return new StorageConfig(
        p.effectiveNodeId(),
        (int) Math.min(Integer.MAX_VALUE, p.storage().maxContentSize().toBytes()),
        p.replication().factor(),
        p.cache().ttl(),
        p.cache().maxSize().toBytes(),
        p.storage().defaultSearchLimit(),
        p.storage().maxSearchLimit(),
        p.storage().tombstoneTtl());
  }

  /** Envelopes are signed by the node identity key (the one behind the peer id). */
  @Bean
  EnvelopeSigner envelopeSigner(IdentityKey identity) {
    return new IdentityEnvelopeSigner(identity);
  }

  /**
   * Decrypted content by canonical address: expires {@code chorus.cache.ttl} after load, bounded by
   * summed weight, expired entries swept promptly by the system scheduler.
   */
  @Bean
  Cache<String, CachedContent> contentCache(StorageConfig config, MeterRegistry registry) {
    Cache<String, CachedContent> cache =
        ContentCaches.build(config, Ticker.systemTicker(), Scheduler.systemScheduler());
    CaffeineCacheMetrics.monitor(registry, cache, "content");
    return cache;
  }

  @Bean(destroyMethod = "close")
  MetadataIndex metadataIndex(ChorusProperties p) {
    return MetadataIndex.open(MetadataIndexConfig.defaults(p.dataDir()));
  }

  @Bean
  StorageMetrics storageMetrics(MeterRegistry registry) {
    return new StorageMetrics(registry);
  }

  @Bean
  EncryptedStorage encryptedStorage(
      StorageConfig config,
      RolePolicy policy,
      RoleKeys keys,
      RoleAuthority authority,
      EnvelopeSigner signingKey,
      DhtBackend backend,
      MetadataIndex index,
      AuditLog audit,
      Cache<String, CachedContent> cache,
      StorageMetrics metrics,
      Clock clock,
      ObjectProvider<NetworkDht> network) {
    EncryptedStorage storage =
        new EncryptedStorage(
            config,
            policy,
            keys,
            authority,
            signingKey,
            backend,
            index,
            audit,
            cache,
            metrics,
            clock);
    // a record this node holds can change under the cache: a peer's PUT, a lookup's correction
    network.ifAvailable(
        n ->
            n.dht()
                .addRecordChangeListener(
                    key -> storage.recordChanged(new String(key, StandardCharsets.UTF_8))));
    return storage;
  }
}
