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
import org.chorus.dht.store.DataStore;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Maps {@code chorus.*} onto {@link StorageConfig} and wires the storage service. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(StorageConfiguration.class);

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

  /**
   * At start, re-signs the format 1 envelopes (written before role signatures) of the content this
   * node stored and registers them for republishing; fails the start, naming the roles and what to
   * do, when some were created by roles whose identity this node does not hold.
   */
  @Bean
  LegacyEnvelopeUpgrade legacyEnvelopeUpgrade(
      EncryptedStorage storage,
      ObjectProvider<org.chorus.dht.replication.ReplicationManager> replication,
      ChorusProperties properties) {
    EncryptedStorage.LegacyUpgrade done = storage.upgradeLegacyEnvelopes();
    if (!done.unsignable().isEmpty()) {
      throw new IllegalStateException(
          "the data directory "
              + properties.dataDir().toAbsolutePath()
              + " holds content written before role signatures by roles this node holds no"
              + " identity for: "
              + done.unsignable()
              + " (role = envelopes). Install those roles' keys (<role>.key) in"
              + " chorus.role-keys-dir ("
              + properties.effectiveRoleKeysDir().toAbsolutePath()
              + ") and start again: the node re-signs them. Or start a node that holds them on"
              + " this data directory first.");
    }
    if (!done.resigned().isEmpty()) {
      log.info(
          "re-signed {} envelopes written before role signatures; republishing them",
          done.resigned().size());
      replication.ifAvailable(m -> done.resigned().forEach(key -> m.addContent(key)));
    }
    return new LegacyEnvelopeUpgrade(done);
  }

  /** The result of the start-time upgrade, as a bean (so it runs once, before the API serves). */
  record LegacyEnvelopeUpgrade(EncryptedStorage.LegacyUpgrade result) {}

  @Bean(destroyMethod = "close")
  MetadataIndex metadataIndex(ChorusProperties p, DataStore dataStore) {
    return MetadataIndex.open(MetadataIndexConfig.defaults(p.dataDir()), dataStore);
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
