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
import org.chorus.dht.backend.RecordRejectedException;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.envelope.WriteAuthority;
import org.chorus.dht.roles.RoleKeys;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.roles.RoleSigner;
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
 * <p><b>Store.</b> Validate the address and size; the caller's role must be allowed to write the
 * address (its own role segment, or admin authority; never read-only) and this node must hold that
 * role's identity (its signing key signs the envelope); encrypt for every role that may read the
 * creator's content; then write a new version (below); index the metadata; audit.
 *
 * <p><b>Versions.</b> Under a per-address lock: take the current envelope as this node knows it
 * (the backend's answer: the network's when it is in use), check the caller's precondition ({@code
 * If-Match} version, {@code If-None-Match: *}), seal version + 1 and put it. Nodes keep the first
 * envelope of a version that reaches them and refuse older ones, answering with what they hold
 * ({@link DhtBackend.PutResult#conflicting()}); from those answers the write knows whether it won:
 * no newer version held anywhere it reached, and more holders of its envelope than of any other of
 * the same version (ties: the lower tiebreak). A won write that met another envelope of its version
 * writes its content again one version up, so every node converges on it. A lost write corrects
 * this node's own copy to the winner and answers 412 when the caller gave a precondition, else
 * writes again two versions above the winner (the one above is the winner's, should it write itself
 * again), so the last writer wins at a distinct version; at most {@value #MAX_WRITE_ATTEMPTS}
 * rounds. A winner whose rewrite meets a later write still won its version and answers with it.
 *
 * <p><b>Delete</b> writes a signed tombstone the same way. <b>Retrieve:</b> cache, else backend →
 * verify (role and node signature, hash, authority) → a tombstone is 404 {@code content-deleted} →
 * check the caller's role is among the recipients → decrypt → cache. Every store, delete, retrieve
 * and refusal is audited.
 *
 * <p>Failures the caller should see are {@link ApiException}s (400, 403, 404, 412, 413, 500, 503,
 * 507). Thread-safe: all state is in thread-safe collaborators.
 */
public final class EncryptedStorage {

  private static final Logger log = LoggerFactory.getLogger(EncryptedStorage.class);

  /** Namespace whose values must be content envelopes. */
  public static final String UCXL_NAMESPACE = UcxlAddress.DHT_KEY_PREFIX;

  /** The validated namespaces; only {@link #UCXL_NAMESPACE} is writable through the API. */
  public static final String CHORUS_NAMESPACE = "/CHORUS/";

  /** Content type of a tombstone. */
  public static final String TOMBSTONE_CONTENT_TYPE = "application/vnd.chorus.tombstone";

  /** Rounds of one write before it gives up on contention (503). */
  static final int MAX_WRITE_ATTEMPTS = 6;

  private final StorageConfig config;
  private final RolePolicy policy;
  private final RoleKeys keys;
  private final WriteAuthority authority;
  private final EnvelopeSigner nodeKey;
  private final String nodePeerId;
  private final EnvelopeCodec codec;
  private final DhtBackend backend;
  private final MetadataIndex index;
  private final AuditLog audit;
  private final Cache<String, CachedContent> cache;
  private final StorageMetrics metrics;
  private final Clock clock;

  /** Striped locks that make version assignment atomic per address on this node (64 stripes). */
  private final Object[] versionLocks =
      java.util.stream.Stream.generate(Object::new).limit(64).toArray();

  public EncryptedStorage(
      StorageConfig config,
      RolePolicy policy,
      RoleKeys keys,
      WriteAuthority authority,
      EnvelopeSigner nodeKey,
      DhtBackend backend,
      MetadataIndex index,
      AuditLog audit,
      Cache<String, CachedContent> cache,
      StorageMetrics metrics,
      Clock clock) {
    this.config = config;
    this.policy = policy;
    this.keys = keys;
    this.authority = authority;
    this.nodeKey = nodeKey;
    this.nodePeerId = EnvelopeCodec.peerIdOf(nodeKey.publicKey());
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
   * A caller's precondition on the current version of an address.
   *
   * @param ifMatch the version the caller expects to replace ({@code If-Match: "<version>"}), or
   *     null
   * @param ifNoneMatch create only: no content may be there ({@code If-None-Match: *})
   */
  public record Precondition(Long ifMatch, boolean ifNoneMatch) {
    /** No precondition: last writer wins, at a version of its own. */
    public static final Precondition NONE = new Precondition(null, false);

    public boolean present() {
      return ifMatch != null || ifNoneMatch;
    }
  }

  /**
   * Stores {@code content} at {@code address} on behalf of {@code caller}, whose role becomes the
   * creator role.
   *
   * @return the metadata of the new envelope
   */
  public EnvelopeMetadata store(
      ChorusPrincipal caller, String address, byte[] content, String contentType) {
    return storeReplicated(caller, address, content, contentType, Precondition.NONE).metadata();
  }

  /**
   * What a write produced: the envelope's metadata and how many copies the backend reached.
   *
   * @param replication copies stored (this node's included), the target and the copies required for
   *     a complete write ({@code min(target, reachable nodes)})
   */
  public record Stored(EnvelopeMetadata metadata, DhtBackend.PutResult replication) {}

  /** As {@link #store}, with a precondition, also returning the replication the put reached. */
  public Stored storeReplicated(
      ChorusPrincipal caller,
      String address,
      byte[] content,
      String contentType,
      Precondition precondition) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    String role = caller.role();
    RoleSigner signer = writer(caller, ucxl, "store", content.length);
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
    String type =
        contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
    java.time.Instant now = clock.instant();
    String sha256 = EnvelopeCodec.sha256Hex(ciphertext);
    Stored stored =
        write(
            caller,
            ucxl,
            precondition,
            version ->
                EnvelopeCodec.seal(
                    new EnvelopeMetadata(
                        ucxl.canonical(),
                        role,
                        nodePeerId,
                        encryptedFor,
                        type,
                        now,
                        content.length,
                        sha256,
                        config.replicationFactor(),
                        version,
                        false),
                    ciphertext,
                    signer,
                    nodeKey));
    metrics.stored(content.length);
    audit(caller, AuditEvent.STORE, ucxl.canonical(), AuditEvent.OK, content.length);
    return stored;
  }

  /**
   * Deletes the content at {@code address}: a signed tombstone at the next version, written like a
   * store (same authority, same preconditions). Every node then answers 404 {@code
   * content-deleted}.
   *
   * @throws ApiException 404 when there is no content at the address (or it is deleted already)
   */
  public Stored delete(ChorusPrincipal caller, String address, Precondition precondition) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    RoleSigner signer = writer(caller, ucxl, AuditEvent.DELETE, 0);
    Optional<ContentEnvelope> current = current(ucxl);
    if (current.isEmpty() || current.get().metadata().deleted()) {
      audit(caller, AuditEvent.DELETE, ucxl.canonical(), AuditEvent.NOT_FOUND, 0);
      throw current.isEmpty() ? notFound(ucxl) : deleted(ucxl, current.get().metadata());
    }
    java.time.Instant now = clock.instant();
    Stored stored =
        write(
            caller,
            ucxl,
            precondition,
            version ->
                EnvelopeCodec.seal(
                    new EnvelopeMetadata(
                        ucxl.canonical(),
                        caller.role(),
                        nodePeerId,
                        List.of(),
                        TOMBSTONE_CONTENT_TYPE,
                        now,
                        0,
                        EnvelopeCodec.sha256Hex(new byte[0]),
                        config.replicationFactor(),
                        version,
                        true),
                    new byte[0],
                    signer,
                    nodeKey));
    audit(caller, AuditEvent.DELETE, ucxl.canonical(), AuditEvent.OK, 0);
    return stored;
  }

  /** How long a tombstone is kept alive after a delete at {@code at}. */
  public java.time.Instant tombstoneForgetAt(java.time.Instant at) {
    return at.plus(config.tombstoneTtl());
  }

  /**
   * The signing key the caller writes {@code address} with: its role must be allowed to write the
   * address, and this node must hold that role's identity.
   */
  private RoleSigner writer(ChorusPrincipal caller, UcxlAddress ucxl, String operation, long size) {
    String role = caller.role();
    policy.require(role, "role");
    Optional<String> refusal = authority.refusal(role, ucxl.role());
    if (refusal.isPresent()) {
      deny(caller, operation, ucxl.canonical(), size);
      throw ApiException.forbidden("write-denied", refusal.get())
          .with("role", role)
          .with("addressRole", ucxl.role());
    }
    return keys.signer(role)
        .orElseThrow(
            () -> {
              deny(caller, operation, ucxl.canonical(), size);
              return ApiException.forbidden(
                      "no-signing-key",
                      "this node holds no identity for role '"
                          + role
                          + "', so it cannot sign that role's writes (install "
                          + role
                          + ".key in chorus.role-keys-dir)")
                  .with("role", role);
            });
  }

  /** What one round of a write learned: whether it won, the winner if not, and a split. */
  private record Verdict(boolean won, boolean split, ContentEnvelope winner, byte[] winnerValue) {}

  /**
   * Writes {@code sealAt.apply(version)} as the next version of {@code ucxl} (see the class
   * Javadoc, "Versions"); indexes the final envelope. The caller's role has been checked.
   */
  private Stored write(
      ChorusPrincipal caller,
      UcxlAddress ucxl,
      Precondition precondition,
      java.util.function.LongFunction<ContentEnvelope> sealAt) {
    String key = ucxl.dhtKey();
    synchronized (versionLock(ucxl)) {
      Optional<ContentEnvelope> current = current(ucxl);
      checkPrecondition(caller, ucxl, precondition, current);
      long base = current.map(e -> e.metadata().version()).orElse(0L);
      Stored won = null; // a round this write won, when it is writing itself again one version up
      for (int round = 0; round < MAX_WRITE_ATTEMPTS; round++) {
        if (base >= EnvelopeCodec.MAX_VERSION) {
          throw new ApiException(
                  409,
                  "version-exhausted",
                  "No version left",
                  "the address is at the largest version " + EnvelopeCodec.MAX_VERSION)
              .with("address", ucxl.canonical());
        }
        ContentEnvelope mine = sealAt.apply(base + 1);
        DhtBackend.PutResult put;
        try {
          put = backend.putValue(key, codec.encode(mine));
        } catch (RecordRejectedException e) {
          throw rejected(e, ucxl);
        }
        Verdict verdict = judge(key, mine, put);
        if (verdict.won() && !verdict.split()) {
          cache.invalidate(ucxl.dhtKey());
          reindex(mine.metadata());
          return new Stored(mine.metadata(), put);
        }
        if (verdict.won()) {
          metrics.writeConflict();
          log.info(
              "{} version {}: won against another write of that version; writing it again at {}",
              ucxl.canonical(),
              mine.metadata().version(),
              mine.metadata().version() + 1);
          won = new Stored(mine.metadata(), put);
          base = mine.metadata().version();
          continue;
        }
        ContentEnvelope winner = verdict.winner();
        metrics.writeConflict();
        backend.storeOnThisNode(key, verdict.winnerValue());
        cache.invalidate(ucxl.dhtKey());
        reindex(winner.metadata());
        if (won != null) {
          // this write won its version; a later write superseded it while it wrote itself again
          return won;
        }
        if (precondition.present()) {
          audit(caller, AuditEvent.STORE, ucxl.canonical(), AuditEvent.CONFLICT, 0);
          throw preconditionFailed(ucxl, winner.metadata().version());
        }
        // above the winner, leaving the winner's own next version free (it writes itself again
        // there when it met this write): two writers then never meet at one version twice
        base = winner.metadata().version() + 1;
      }
      throw new ApiException(
              503,
              "write-contention",
              "Too many concurrent writes",
              "gave up writing "
                  + ucxl.canonical()
                  + " after "
                  + MAX_WRITE_ATTEMPTS
                  + " rounds of concurrent writes; try again")
          .with("address", ucxl.canonical());
    }
  }

  /**
   * Whether {@code mine} won the version it was written at, from what the nodes that refused it
   * hold instead.
   */
  private Verdict judge(String key, ContentEnvelope mine, DhtBackend.PutResult put) {
    ContentEnvelope best = null;
    byte[] bestValue = null;
    List<ContentEnvelope> others = new ArrayList<>();
    for (byte[] value : put.conflicting()) {
      ContentEnvelope e;
      try {
        e = codec.decodeAndVerify(key, value, authority);
      } catch (InvalidEnvelopeException invalid) {
        continue;
      }
      if (EnvelopeCodec.compare(e, mine) == 0) {
        continue; // our own envelope, held under another encoding
      }
      others.add(e);
      if (best == null || EnvelopeCodec.compare(e, best) > 0) {
        best = e;
        bestValue = value;
      }
    }
    if (best == null || best.metadata().version() < mine.metadata().version()) {
      return new Verdict(true, false, null, null);
    }
    if (best.metadata().version() > mine.metadata().version()) {
      return new Verdict(false, false, best, bestValue);
    }
    String theirs = EnvelopeCodec.tiebreak(best);
    long theirHolders =
        others.stream().filter(e -> EnvelopeCodec.tiebreak(e).equals(theirs)).count();
    long ourHolders = put.replicas();
    boolean won =
        ourHolders > theirHolders
            || (ourHolders == theirHolders && EnvelopeCodec.compare(mine, best) > 0);
    return won ? new Verdict(true, true, null, null) : new Verdict(false, false, best, bestValue);
  }

  private void checkPrecondition(
      ChorusPrincipal caller,
      UcxlAddress ucxl,
      Precondition precondition,
      Optional<ContentEnvelope> current) {
    long version = current.map(e -> e.metadata().version()).orElse(0L);
    boolean exists = current.isPresent() && !current.get().metadata().deleted();
    if (precondition.ifNoneMatch() && exists) {
      audit(caller, AuditEvent.STORE, ucxl.canonical(), AuditEvent.CONFLICT, 0);
      throw preconditionFailed(ucxl, version).with("field", "If-None-Match");
    }
    if (precondition.ifMatch() != null && precondition.ifMatch() != version) {
      audit(caller, AuditEvent.STORE, ucxl.canonical(), AuditEvent.CONFLICT, 0);
      throw preconditionFailed(ucxl, version).with("field", "If-Match");
    }
  }

  private static ApiException preconditionFailed(UcxlAddress ucxl, long currentVersion) {
    return new ApiException(
            412,
            "precondition-failed",
            "Precondition failed",
            "the current version of " + ucxl.canonical() + " is " + currentVersion)
        .with("address", ucxl.canonical())
        .with("currentVersion", currentVersion);
  }

  private ApiException rejected(RecordRejectedException e, UcxlAddress ucxl) {
    metrics.error();
    if (e.reason() == RecordRejectedException.Reason.STORE_FULL) {
      return new ApiException(507, "store-full", "Insufficient storage", e.getMessage())
          .with("address", ucxl.canonical());
    }
    if (e.reason() == RecordRejectedException.Reason.TOO_LARGE) {
      return new ApiException(413, "payload-too-large", "Payload too large", e.getMessage())
          .with("field", "content");
    }
    return new ApiException(500, "record-refused", "Record refused", e.getMessage())
        .with("address", ucxl.canonical());
  }

  /** The index follows the current envelope: its metadata, or no entry for a tombstone. */
  private void reindex(EnvelopeMetadata m) {
    if (m.deleted()) {
      index.delete(m.address());
    } else {
      index.put(toIndexEntry(m));
    }
  }

  private Object versionLock(UcxlAddress address) {
    return versionLocks[Math.floorMod(address.canonical().hashCode(), versionLocks.length)];
  }

  /**
   * The envelope now at {@code address} as this node knows it (the backend's answer), or empty. A
   * record that no longer verifies (a format 1 envelope not re-signed yet) still gives its version:
   * the next write supersedes it.
   */
  private Optional<ContentEnvelope> current(UcxlAddress address) {
    Optional<byte[]> existing = backend.getValue(address.dhtKey());
    if (existing.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(existing.get()));
    } catch (InvalidEnvelopeException e) {
      return Optional.empty();
    }
  }

  /** Retrieves and decrypts the content at {@code address} for {@code caller}. */
  public RetrievedContent retrieve(ChorusPrincipal caller, String address) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    String canonical = ucxl.canonical();
    CachedContent cached = cache.getIfPresent(ucxl.dhtKey());
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
      content =
          Age.decrypt(
              envelope.ciphertext(),
              PreferredStanza.of(identity, metadata.encryptedFor(), caller.role()));
    } catch (AgeException e) {
      throw corrupt(caller, canonical, "failed to decrypt: " + e.getMessage());
    } finally {
      metrics.decryptionNanos(System.nanoTime() - started);
    }
    if (content.length != metadata.size()) {
      throw corrupt(caller, canonical, "decrypted size differs from the metadata");
    }
    cache.put(ucxl.dhtKey(), new CachedContent(metadata, content.clone()));
    metrics.retrieved();
    audit(caller, AuditEvent.RETRIEVE, canonical, AuditEvent.OK, content.length);
    return new RetrievedContent(metadata, content, false);
  }

  /** The signed metadata of the record at {@code address}, without decrypting it. */
  public EnvelopeMetadata metadata(ChorusPrincipal caller, String address) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    CachedContent cached = cache.getIfPresent(ucxl.dhtKey());
    return cached != null ? cached.metadata() : load(caller, ucxl).metadata();
  }

  /**
   * The verified envelope at {@code ucxl}: 404 when absent, 404 {@code content-deleted} when
   * deleted.
   */
  private ContentEnvelope load(ChorusPrincipal caller, UcxlAddress ucxl) {
    String key = ucxl.dhtKey();
    byte[] value =
        backend
            .getValue(key)
            .orElseThrow(
                () -> {
                  audit(caller, AuditEvent.RETRIEVE, ucxl.canonical(), AuditEvent.NOT_FOUND, 0);
                  return notFound(ucxl);
                });
    ContentEnvelope envelope;
    try {
      envelope = codec.decodeAndVerify(key, value, authority);
    } catch (InvalidEnvelopeException e) {
      throw corrupt(caller, ucxl.canonical(), e.getMessage());
    }
    if (envelope.metadata().deleted()) {
      audit(caller, AuditEvent.RETRIEVE, ucxl.canonical(), AuditEvent.NOT_FOUND, 0);
      throw deleted(ucxl, envelope.metadata());
    }
    return envelope;
  }

  private static ApiException notFound(UcxlAddress ucxl) {
    return ApiException.notFound("content-not-found", "no content at " + ucxl.canonical())
        .with("address", ucxl.canonical());
  }

  private static ApiException deleted(UcxlAddress ucxl, EnvelopeMetadata tombstone) {
    return ApiException.notFound(
            "content-deleted",
            "the content at "
                + ucxl.canonical()
                + " was deleted (version "
                + tombstone.version()
                + ", "
                + tombstone.timestamp()
                + ")")
        .with("address", ucxl.canonical())
        .with("version", tombstone.version());
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
    cache.invalidate(UcxlAddress.parse(canonical).dhtKey());
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
   * Stores a raw record value (admin only): a content envelope under {@code /CHORUS/ucxl/},
   * validated as every node validates one (role and node signature, authority, hash, the address
   * hashing to the key) and refused when this node holds a newer version or another envelope of its
   * version (409); its metadata is indexed, and the caller tracks the key like stored content.
   * Other keys are refused: peer records are published by their node, and no node accepts other
   * namespaces.
   */
  public Stored putRawValue(ChorusPrincipal caller, String key, byte[] value) {
    if (!caller.admin()) {
      deny(caller, "put_value", key, value.length);
      throw ApiException.forbidden("admin-required", "raw DHT values may be put by an admin only");
    }
    if (value.length > config.maxEnvelopeBytes()) {
      throw ApiException.tooLarge("value", value.length, config.maxEnvelopeBytes());
    }
    if (!key.startsWith(UCXL_NAMESPACE)) {
      audit(caller, "put_value", key, AuditEvent.FORBIDDEN, value.length);
      throw ApiException.badRequest(
              "key",
              "only "
                  + UCXL_NAMESPACE
                  + " records (signed content envelopes) may be put through the API; peer"
                  + " records are published by their node and no node accepts other namespaces")
          .with("key", key);
    }
    ContentEnvelope envelope;
    try {
      envelope = codec.decodeAndVerify(key, value, authority);
    } catch (InvalidEnvelopeException e) {
      metrics.error();
      audit(caller, "put_value", key, AuditEvent.ERROR, value.length);
      throw ApiException.badRequest("value", "invalid record for " + key + ": " + e.getMessage())
          .with("key", key)
          .with("reason", e.kind().name().toLowerCase(java.util.Locale.ROOT));
    }
    UcxlAddress ucxl = UcxlAddress.parse(envelope.metadata().address());
    synchronized (versionLock(ucxl)) {
      Optional<ContentEnvelope> current = current(ucxl);
      if (current.isPresent()
          && !current.get().legacy()
          && EnvelopeCodec.compare(envelope, current.get()) != 0
          && envelope.metadata().version() <= current.get().metadata().version()) {
        audit(caller, "put_value", key, AuditEvent.CONFLICT, value.length);
        throw new ApiException(
                409,
                "version-conflict",
                "Version conflict",
                "this node holds version "
                    + current.get().metadata().version()
                    + " of "
                    + ucxl.canonical()
                    + "; the value is version "
                    + envelope.metadata().version())
            .with("key", key)
            .with("currentVersion", current.get().metadata().version());
      }
      DhtBackend.PutResult put;
      try {
        put = backend.putValue(key, value);
      } catch (RecordRejectedException e) {
        throw rejected(e, ucxl);
      }
      cache.invalidate(ucxl.dhtKey());
      reindex(envelope.metadata());
      audit(caller, "put_value", key, AuditEvent.OK, value.length);
      return new Stored(envelope.metadata(), put);
    }
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

  /**
   * What {@link #upgradeLegacyEnvelopes} did.
   *
   * @param resigned DHT keys whose format 1 envelope this node re-signed (format 2, same version)
   * @param unsignable creator roles of format 1 envelopes this node cannot re-sign (it holds no
   *     identity for them), with how many envelopes each
   */
  public record LegacyUpgrade(List<String> resigned, java.util.Map<String, Integer> unsignable) {}

  /**
   * Re-signs the format 1 envelopes (before role signatures) of the content this node stored (its
   * metadata index): each is checked as format 1 checked it, then sealed again as format 2 with the
   * creator role's signing key and this node's key, at the same version, and made this node's copy
   * in every store; the index follows. The caller registers the keys for republishing, so peers
   * replace their old copies (which no node accepts any more). Envelopes of roles this node holds
   * no identity for are left alone and reported.
   */
  public LegacyUpgrade upgradeLegacyEnvelopes() {
    List<String> resigned = new ArrayList<>();
    java.util.Map<String, Integer> unsignable = new java.util.TreeMap<>();
    String after = null;
    while (true) {
      List<String> page = index.addresses(after, 500);
      if (page.isEmpty()) {
        break;
      }
      for (String address : page) {
        UcxlAddress ucxl = UcxlAddress.parse(address);
        String key = ucxl.dhtKey();
        Optional<byte[]> value = backend.getValue(key);
        if (value.isEmpty()) {
          continue;
        }
        ContentEnvelope old;
        try {
          old = codec.decode(value.get());
          if (!old.legacy()) {
            continue;
          }
          EnvelopeCodec.verifyLegacy(key, old);
        } catch (InvalidEnvelopeException e) {
          log.warn("not re-signing {}: {}", address, e.getMessage());
          continue;
        }
        EnvelopeMetadata m = old.metadata();
        Optional<RoleSigner> signer = keys.signer(m.creatorRole());
        if (signer.isEmpty()) {
          unsignable.merge(m.creatorRole(), 1, Integer::sum);
          continue;
        }
        EnvelopeMetadata resealed =
            new EnvelopeMetadata(
                m.address(),
                m.creatorRole(),
                nodePeerId,
                m.encryptedFor(),
                m.contentType(),
                m.timestamp(),
                m.size(),
                m.sha256(),
                m.replicationFactor(),
                m.version(),
                false);
        ContentEnvelope sealed =
            EnvelopeCodec.seal(resealed, old.ciphertext(), signer.get(), nodeKey);
        synchronized (versionLock(ucxl)) {
          backend.storeOnThisNode(key, codec.encode(sealed));
          cache.invalidate(key);
          reindex(resealed);
        }
        resigned.add(key);
      }
      after = page.get(page.size() - 1);
    }
    return new LegacyUpgrade(List.copyOf(resigned), java.util.Map.copyOf(unsignable));
  }

  /**
   * Forgets the cached plaintext of the record under {@code dhtKey}: this node's copy changed
   * without a write through this service (a peer's PUT, a correction from a lookup), so the next
   * read decrypts the current record.
   */
  public void recordChanged(String dhtKey) {
    cache.invalidate(dhtKey);
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
