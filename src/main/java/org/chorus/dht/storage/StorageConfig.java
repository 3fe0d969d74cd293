package org.chorus.dht.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Every knob of the storage service, with its default. Immutable; {@link #validate()} runs in the
 * constructor.
 *
 * @param nodeId node id written into envelopes and audit lines
 * @param maxContentBytes largest plaintext a store accepts
 * @param replicationFactor wanted copies, written into each envelope
 * @param cacheTtl how long a decrypted item stays cached after it was loaded
 * @param cacheMaxBytes bound on the summed weight (plaintext + overhead) of cached items
 * @param defaultListLimit limit of search and by-role lists when none is given
 * @param maxListLimit largest limit a caller may ask for
 * @param tombstoneTtl how long a delete's tombstone is kept alive (republished) before the key is
 *     forgotten
 */
public record StorageConfig(
    String nodeId,
    int maxContentBytes,
    int replicationFactor,
    Duration cacheTtl,
    long cacheMaxBytes,
    int defaultListLimit,
    int maxListLimit,
    Duration tombstoneTtl) {

  public static final int DEFAULT_MAX_CONTENT_BYTES = 1024 * 1024;
  public static final int DEFAULT_REPLICATION_FACTOR = 3;
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(10);
  public static final long DEFAULT_CACHE_MAX_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_LIST_LIMIT = 100;
  public static final int DEFAULT_MAX_LIST_LIMIT = 1000;
  public static final Duration DEFAULT_TOMBSTONE_TTL = Duration.ofDays(30);

  /** Room for the age header (per recipient), STREAM tags and the JSON/base64 of an envelope. */
  static final int ENVELOPE_OVERHEAD_BYTES = 64 * 1024;

  public StorageConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    Objects.requireNonNull(tombstoneTtl, "tombstoneTtl");
    if (tombstoneTtl.isNegative() || tombstoneTtl.isZero()) {
      throw new IllegalArgumentException("tombstoneTtl must be positive");
    }
    validate(
        nodeId,
        maxContentBytes,
        replicationFactor,
        cacheTtl,
        cacheMaxBytes,
        defaultListLimit,
        maxListLimit);
  }

  /** With the default tombstone lifetime. */
  public StorageConfig(
      String nodeId,
      int maxContentBytes,
      int replicationFactor,
      Duration cacheTtl,
      long cacheMaxBytes,
      int defaultListLimit,
      int maxListLimit) {
    this(
        nodeId,
        maxContentBytes,
        replicationFactor,
        cacheTtl,
        cacheMaxBytes,
        defaultListLimit,
        maxListLimit,
        DEFAULT_TOMBSTONE_TTL);
  }

  /** Defaults for everything but the node id. */
  public static StorageConfig defaults(String nodeId) {
    return new StorageConfig(
        nodeId,
        DEFAULT_MAX_CONTENT_BYTES,
        DEFAULT_REPLICATION_FACTOR,
        DEFAULT_CACHE_TTL,
        DEFAULT_CACHE_MAX_BYTES,
        DEFAULT_LIST_LIMIT,
        DEFAULT_MAX_LIST_LIMIT);
  }

  private static void validate(
      String nodeId,
      int maxContentBytes,
      int replicationFactor,
      Duration cacheTtl,
      long cacheMaxBytes,
      int defaultListLimit,
      int maxListLimit) {
    if (nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank");
    }
    if (maxContentBytes < 1 || maxContentBytes > 256 * 1024 * 1024) {
      throw new IllegalArgumentException("maxContentBytes must be in 1..256 MiB");
    }
    if (replicationFactor < 1 || replicationFactor > 20) {
      throw new IllegalArgumentException("replicationFactor must be in 1..20");
    }
    if (cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("cacheTtl must be positive");
    }
    if (cacheMaxBytes < 0) {
      throw new IllegalArgumentException("cacheMaxBytes must not be negative");
    }
    if (defaultListLimit < 1 || maxListLimit < defaultListLimit) {
      throw new IllegalArgumentException("need 1 <= defaultListLimit <= maxListLimit");
    }
  }

  /** Largest encoded envelope: base64 of the largest ciphertext plus overhead. */
  public int maxEnvelopeBytes() {
    return (int)
        Math.min(Integer.MAX_VALUE - 16, (long) maxContentBytes * 4 / 3 + ENVELOPE_OVERHEAD_BYTES);
  }
}
