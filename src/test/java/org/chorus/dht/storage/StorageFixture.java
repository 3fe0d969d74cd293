package org.chorus.dht.storage;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.roles.RoleKeys;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.roles.RolesFile;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditLogConfig;
import org.chorus.dht.storage.audit.AuditSigner;
import org.chorus.dht.storage.envelope.IdentityEnvelopeSigner;
import org.chorus.dht.storage.index.MetadataIndex;
import org.chorus.dht.storage.index.MetadataIndexConfig;
import org.chorus.dht.system.NodeIdentity;

/**
 * A real {@link EncryptedStorage} without Spring, with default settings, over a data directory:
 * shipped roles, generated role keys, LocalDht, MetadataIndex and AuditLog on disk. The cache
 * ticker is the caller's, so tests can move time.
 */
final class StorageFixture implements AutoCloseable {

  final Path dataDir;
  final RolePolicy policy;
  final RoleKeys keys;
  final LocalDht backend;
  final MetadataIndex index;
  final AuditLog audit;
  final StorageMetrics metrics;
  final EncryptedStorage storage;

  StorageFixture(Path dataDir, Ticker ticker) throws IOException {
    this.dataDir = dataDir;
    Clock clock = Clock.systemUTC();
    StorageConfig config = StorageConfig.defaults("fixture-node");
    policy = new RolePolicy(RolesFile.readOrBuiltIn(Path.of("config/roles.yaml")));
    keys = RoleKeys.load(dataDir.resolve("role-keys"), policy, clock);
    backend = LocalDht.open(LocalDhtConfig.builder(dataDir, config.nodeId()).build(), clock);
    index = MetadataIndex.open(MetadataIndexConfig.defaults(dataDir));
    IdentityKey identity = NodeIdentity.loadOrCreate(dataDir);
    audit =
        AuditLog.open(
            AuditLogConfig.defaults(dataDir, config.nodeId()), AuditSigner.of(identity), clock);
    metrics = new StorageMetrics(new SimpleMeterRegistry());
    storage =
        new EncryptedStorage(
            config,
            policy,
            keys,
            new org.chorus.dht.roles.RoleAuthority(policy, keys),
            new IdentityEnvelopeSigner(identity),
            backend,
            index,
            audit,
            ContentCaches.build(config, ticker, Scheduler.disabledScheduler()),
            metrics,
            clock);
  }

  @Override
  public void close() {
    audit.close();
    index.close();
    backend.close();
  }
}
