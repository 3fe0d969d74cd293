package org.chorus.dht.storage;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.age.Age;
import org.chorus.dht.age.AgeException;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.X25519Recipient;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.roles.RoleKeys;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.index.ContentMetadata;
import org.chorus.dht.storage.index.MetadataIndex;
import org.chorus.dht.storage.index.Query;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.ucxl.UcxlAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypted UCXL storage: the one place that turns plaintext into signed, age-encrypted records and
 * back.
 *
 * <p>Store: validate the address and size, check the role policy, encrypt for every role that may
 * read the creator's content, sign the envelope with the node key, put it through the {@link
 * DhtBackend} (durable when it returns), index the metadata, audit. Retrieve: cache, else backend →
 * verify hash and signature → check the caller's role is among the recipients → decrypt with the
 * node's identity for that role → cache. Every store, retrieve and refusal is audited.
 *
 * <p>Failures the caller should see are {@link ApiException}s (400, 403, 404, 413, 500).
 * Thread-safe: all state is in thread-safe collaborators.
 */
public final class EncryptedStorage {

  private static final Logger log = LoggerFactory.getLogger(EncryptedStorage.class);

  /** Namespace whose values must be content envelopes. */
  public static final String UCXL_NAMESPACE = UcxlAddress.DHT_KEY_PREFIX;

  /** The validated namespaces; only {@link #UCXL_NAMESPACE} is writable through the API. */
  public static final String CHORUS_NAMESPACE = "/CHORUS/";

  private final StorageConfig config;
  private final RolePolicy policy;
  private final RoleKeys keys;
  private final EnvelopeSigner signingKey;
  private final EnvelopeCodec codec;
  private final DhtBackend backend;
  private final MetadataIndex index;
  private final AuditLog audit;
  private final Cache<String, CachedContent> cache;
  private final StorageMetrics metrics;
  private final Clock clock;

  /** Striped locks that make version assignment atomic per address (64 stripes). */
  private final Object[] versionLocks =
      java.util.stream.Stream.generate(Object::new).limit(64).toArray();

  public EncryptedStorage(
      StorageConfig config,
      RolePolicy policy,
      RoleKeys keys,
      EnvelopeSigner signingKey,
      DhtBackend backend,
      MetadataIndex index,
      AuditLog audit,
      Cache<String, CachedContent> cache,
      StorageMetrics metrics,
      Clock clock) {
    this.config = config;
    this.policy = policy;
    this.keys = keys;
    this.signingKey = signingKey;
    this.codec = new EnvelopeCodec(config.maxEnvelopeBytes());
    this.backend = backend;
    this.index = index;
    this.audit = audit;
    this.cache = cache;
    this.metrics = metrics;
    this.clock = clock;
  }

  public StorageConfig config() {
    return config;
  }

  /**
   * Stores {@code content} at {@code address} on behalf of {@code caller}, whose role becomes the
   * creator role.
   *
   * @return the metadata of the new envelope
   */
  public EnvelopeMetadata store(
      ChorusPrincipal caller, String address, byte[] content, String contentType) {
    return storeReplicated(caller, address, content, contentType).metadata();
  }

  /**
   * What a store produced: the envelope's metadata and how many copies the backend reached.
   *
   * @param replication copies stored (this node's included), the target and the copies required for
   *     a complete write ({@code min(target, reachable nodes)})
   */
  public record Stored(EnvelopeMetadata metadata, DhtBackend.PutResult replication) {}

  /** As {@link #store}, also returning the replication the put reached. */
  public Stored storeReplicated(
      ChorusPrincipal caller, String address, byte[] content, String contentType) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    String role = caller.role();
    policy.require(role, "role");
    if (!policy.canStore(role)) {
      deny(caller, "store", ucxl.canonical(), content.length);
      throw ApiException.forbidden(
              "store-denied", "role '" + role + "' has read_only authority and may not store")
          .with("role", role);
    }
    if (content.length > config.maxContentBytes()) {
      metrics.error();
      throw ApiException.tooLarge("content", content.length, config.maxContentBytes());
    }
    List<String> encryptedFor = new ArrayList<>();
    List<X25519Recipient> recipients = new ArrayList<>();
    for (String reader : policy.decryptableRoles(role)) {
      Optional<X25519Recipient> recipient = keys.recipient(reader);
      if (recipient.isPresent()) {
        encryptedFor.add(reader);
        recipients.add(recipient.get());
      }
    }
    if (!encryptedFor.contains(role)) {
      metrics.error();
      throw new ApiException(
          500,
          "no-recipient",
          "No recipient for role",
          "no age recipient is configured for role '" + role + "'");
    }
    long started = System.nanoTime();
    byte[] ciphertext = Age.encrypt(content, recipients);
    metrics.encryptionNanos(System.nanoTime() - started);

    String key = ucxl.dhtKey();
    EnvelopeMetadata metadata;
    DhtBackend.PutResult replication;
    synchronized (versionLock(ucxl)) {
      // Read the current version and write the next one as one step per address, so that
      // concurrent stores to an address get distinct, increasing versions.
      metadata =
          new EnvelopeMetadata(
              ucxl.canonical(),
              role,
              config.nodeId(),
              encryptedFor,
              contentType == null || contentType.isBlank()
                  ? "application/octet-stream"
                  : contentType,
              clock.instant(),
              content.length,
              EnvelopeCodec.sha256Hex(ciphertext),
              config.replicationFactor(),
              currentVersion(ucxl) + 1);
      byte[] value = codec.encode(EnvelopeCodec.seal(metadata, ciphertext, signingKey));
      replication = backend.putValue(key, value);
      cache.invalidate(ucxl.canonical());
      index.put(toIndexEntry(metadata));
    }
    metrics.stored(content.length);
    audit(caller, AuditEvent.STORE, ucxl.canonical(), AuditEvent.OK, content.length);
    return new Stored(metadata, replication);
  }

  private Object versionLock(UcxlAddress address) {
    return versionLocks[Math.floorMod(address.canonical().hashCode(), versionLocks.length)];
  }

  /**
   * Version of the content now at {@code address}, 0 when there is none: from the index (which
   * every accepted put updates), else from the record itself.
   */
  private long currentVersion(UcxlAddress address) {
    Optional<ContentMetadata> indexed = index.get(address.canonical());
    if (indexed.isPresent()) {
      return indexed.get().version();
    }
    Optional<byte[]> existing = backend.getValue(address.dhtKey());
    if (existing.isEmpty()) {
      return 0;
    }
    try {
      return codec.decode(existing.get()).metadata().version();
    } catch (InvalidEnvelopeException e) {
      return 0;
    }
  }

  /** Retrieves and decrypts the content at {@code address} for {@code caller}. */
  public RetrievedContent retrieve(ChorusPrincipal caller, String address) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    String canonical = ucxl.canonical();
    CachedContent cached = cache.getIfPresent(canonical);
    if (cached != null) {
      metrics.cacheHit();
      checkReadable(caller, cached.metadata());
      metrics.retrieved();
      audit(caller, AuditEvent.RETRIEVE, canonical, AuditEvent.OK, cached.content().length);
      return new RetrievedContent(cached.metadata(), cached.content().clone(), true);
    }
    metrics.cacheMiss();
    ContentEnvelope envelope = load(caller, ucxl);
    EnvelopeMetadata metadata = envelope.metadata();
    checkReadable(caller, metadata);
    Identity identity =
        keys.identity(caller.role())
            .orElseThrow(
                () -> {
                  deny(caller, "retrieve", canonical, 0);
                  return ApiException.forbidden(
                          "no-identity",
                          "this node holds no age identity for role '" + caller.role() + "'")
                      .with("role", caller.role());
                });
    byte[] content;
    long started = System.nanoTime();
    try {
      content = Age.decrypt(envelope.ciphertext(), identity);
    } catch (AgeException e) {
      throw corrupt(caller, canonical, "failed to decrypt: " + e.getMessage());
    } finally {
      metrics.decryptionNanos(System.nanoTime() - started);
    }
    if (content.length != metadata.size()) {
      throw corrupt(caller, canonical, "decrypted size differs from the metadata");
    }
    cache.put(canonical, new CachedContent(metadata, content.clone()));
    metrics.retrieved();
    audit(caller, AuditEvent.RETRIEVE, canonical, AuditEvent.OK, content.length);
    return new RetrievedContent(metadata, content, false);
  }

  /** The signed metadata of the record at {@code address}, without decrypting it. */
  public EnvelopeMetadata metadata(ChorusPrincipal caller, String address) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    CachedContent cached = cache.getIfPresent(ucxl.canonical());
    return cached != null ? cached.metadata() : load(caller, ucxl).metadata();
  }

  private ContentEnvelope load(ChorusPrincipal caller, UcxlAddress ucxl) {
    String key = ucxl.dhtKey();
    byte[] value =
        backend
            .getValue(key)
            .orElseThrow(
                () -> {
                  audit(caller, AuditEvent.RETRIEVE, ucxl.canonical(), AuditEvent.NOT_FOUND, 0);
                  return ApiException.notFound(
                          "content-not-found", "no content at " + ucxl.canonical())
                      .with("address", ucxl.canonical());
                });
    try {
      return codec.decodeAndVerify(key, value);
    } catch (InvalidEnvelopeException e) {
      throw corrupt(caller, ucxl.canonical(), e.getMessage());
    }
  }

  private void checkReadable(ChorusPrincipal caller, EnvelopeMetadata metadata) {
    if (!metadata.encryptedFor().contains(caller.role())) {
      deny(caller, "retrieve", metadata.address(), 0);
      throw ApiException.forbidden(
              "decrypt-denied",
              "content at "
                  + metadata.address()
                  + " is encrypted for "
                  + metadata.encryptedFor()
                  + "; role '"
                  + caller.role()
                  + "' is not among them")
          .with("role", caller.role())
          .with("encryptedFor", metadata.encryptedFor());
    }
  }

  private ApiException corrupt(ChorusPrincipal caller, String canonical, String reason) {
    cache.invalidate(canonical);
    metrics.error();
    log.warn("Record for {} failed verification: {}", canonical, reason);
    audit(caller, AuditEvent.RETRIEVE, canonical, AuditEvent.ERROR, 0);
    return new ApiException(
            500,
            "invalid-record",
            "Stored record is invalid",
            "record at " + canonical + ": " + reason)
        .with("address", canonical);
  }

  /**
   * Stores a raw record value. Values under {@code /CHORUS/ucxl/} must be valid, signed envelopes
   * for the address that hashes to the key; their metadata is indexed. Other {@code /CHORUS/}
   * namespaces (signed peer records) are refused: only their own node publishes them. Keys outside
   * {@code /CHORUS/} are opaque values.
   */
  public void putRawValue(ChorusPrincipal caller, String key, byte[] value) {
    if (!policy.canStore(caller.role())) {
      deny(caller, "put_value", key, value.length);
      throw ApiException.forbidden(
          "store-denied", "role '" + caller.role() + "' has read_only authority and may not store");
    }
    if (value.length > config.maxEnvelopeBytes()) {
      throw ApiException.tooLarge("value", value.length, config.maxEnvelopeBytes());
    }
    if (!key.startsWith(UCXL_NAMESPACE) && key.startsWith(CHORUS_NAMESPACE)) {
      audit(caller, "put_value", key, AuditEvent.FORBIDDEN, value.length);
      throw ApiException.badRequest(
              "key",
              "only "
                  + UCXL_NAMESPACE
                  + " records may be put through the API; other "
                  + CHORUS_NAMESPACE
                  + " records (peer records) are published by their node")
          .with("key", key);
    }
    if (key.startsWith(UCXL_NAMESPACE)) {
      EnvelopeMetadata metadata;
      try {
        metadata = codec.decodeAndVerify(key, value).metadata();
      } catch (InvalidEnvelopeException e) {
        metrics.error();
        audit(caller, "put_value", key, AuditEvent.ERROR, value.length);
        throw ApiException.badRequest("value", "invalid record for " + key + ": " + e.getMessage())
            .with("key", key);
      }
      backend.putValue(key, value);
      cache.invalidate(metadata.address());
      index.put(toIndexEntry(metadata));
    } else {
      backend.putValue(key, value);
    }
    audit(caller, "put_value", key, AuditEvent.OK, value.length);
  }

  /** The raw record value under {@code key}. */
  public Optional<byte[]> getRawValue(String key) {
    return backend.getValue(key);
  }

  /**
   * A refusal by the role policy: audited as operation {@code denied}, outcome {@code forbidden}.
   */
  private void deny(ChorusPrincipal caller, String operation, String address, long size) {
    metrics.denied();
    log.debug("Denied {} of {} to {}", operation, address, caller);
    audit(caller, AuditEvent.DENIED, address, AuditEvent.FORBIDDEN, size);
  }

  /**
   * Appends the audit line of an operation; a line that cannot be written fails the operation with
   * a 503 ({@link ApiAudit#failed}) instead of acknowledging it unaudited.
   */
  private void audit(
      ChorusPrincipal caller, String operation, String address, String outcome, long size) {
    try {
      audit.append(new AuditEvent(caller.name(), caller.role(), address, operation, outcome, size));
    } catch (RuntimeException e) {
      throw ApiAudit.failed(metrics, operation, address, e);
    }
  }

  /** Counters, cache and backend state for {@code GET /api/v1/storage/metrics}. */
  public Stats stats() {
    var cacheStats = cache.stats();
    return new Stats(
        metrics.snapshot(),
        cache.estimatedSize(),
        cacheStats.hitRate(),
        cacheStats.evictionCount(),
        backend.name(),
        backend.stats().totalKeys());
  }

  /** See {@link #stats()}. */
  public record Stats(
      StorageMetrics.Snapshot counters,
      long cacheEntries,
      double cacheHitRate,
      long cacheEvictions,
      String backend,
      long backendKeys) {}

  /**
   * Metadata of stored content matching {@code query}, newest first, ties by address.
   *
   * @throws ApiException 400 for an unknown role or a limit out of range
   */
  public List<ContentMetadata> search(ContentQuery query) {
    if (query.role() != null) {
      policy.require(query.role(), "role");
    }
    if (query.createdAfter() != null
        && query.createdBefore() != null
        && !query.createdAfter().isBefore(query.createdBefore())) {
      throw ApiException.badRequest(
          "createdAfter", "'createdAfter' must be before 'createdBefore'");
    }
    return index.search(
        Query.builder()
            .agent(query.agent())
            .role(query.role())
            .project(query.project())
            .task(query.task())
            .contentType(query.contentType())
            .createdAfter(query.createdAfter())
            .createdBefore(query.createdBefore())
            .limit(limit(query.limit()))
            .build());
  }

  /** Metadata of content created by {@code creatorRole}, newest first. */
  public List<ContentMetadata> byRole(String creatorRole, Integer limit) {
    policy.require(creatorRole, "role");
    return index.byCreatorRole(creatorRole, limit(limit));
  }

  private int limit(Integer requested) {
    if (requested == null) {
      return config.defaultListLimit();
    }
    if (requested < 1 || requested > Math.min(config.maxListLimit(), Query.MAX_LIMIT)) {
      throw ApiException.badRequest(
          "limit",
          "'limit' must be between 1 and " + Math.min(config.maxListLimit(), Query.MAX_LIMIT));
    }
    return requested;
  }

  static ContentMetadata toIndexEntry(EnvelopeMetadata m) {
    return ContentMetadata.of(
        UcxlAddress.parse(m.address()),
        m.creatorRole(),
        m.contentType(),
        m.timestamp(),
        m.size(),
        m.sha256(),
        m.encryptedFor(),
        m.replicationFactor(),
        m.version());
  }
}
