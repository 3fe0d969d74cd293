package org.chorus.dht.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every knob of {@link LocalDht}, with its default. Immutable; build with {@link #builder(Path,
 * String)} (defaults applied first) and check with {@link #validate()} ({@link LocalDht#open}
 * does).
 *
 * @param dataDir directory holding {@link #FILE_NAME}
 * @param nodeId the local node's id: the peer id in stats and provider records
 * @param listenAddrs addresses reported in stats and provider records (may be empty)
 * @param valueTtl how long a value lives after it was stored (kad: 48 h)
 * @param providerTtl how long a provider record is valid (kad: 48 h)
 * @param maxValueBytes largest value accepted; larger puts are rejected
 * @param maxRecords most values held; a put of a new key beyond it is rejected
 * @param maxProviderRecords most provider records held
 * @param maxKeyLength longest key, in characters
 * @param cacheSizeMb MVStore page cache, which bounds the store's heap use
 */
public record LocalDhtConfig(
    Path dataDir,
    String nodeId,
    List<String> listenAddrs,
    Duration valueTtl,
    Duration providerTtl,
    int maxValueBytes,
    long maxRecords,
    long maxProviderRecords,
    int maxKeyLength,
    int cacheSizeMb) {

  /** The store file inside {@link #dataDir()}. */
  public static final String FILE_NAME = "dht.mv.db";

  /** Values are kept 48 h (libp2p kad-dht). */
  public static final Duration DEFAULT_VALUE_TTL = Duration.ofHours(48);

  /** Provider records are valid 48 h (libp2p kad-dht). */
  public static final Duration DEFAULT_PROVIDER_TTL = Duration.ofHours(48);

  /** 4 MiB, the kad message limit: a larger value could never travel to another node. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 4 * 1024 * 1024;

  public static final long DEFAULT_MAX_RECORDS = 1_000_000;

  public static final long DEFAULT_MAX_PROVIDER_RECORDS = 1_000_000;

  public static final int DEFAULT_MAX_KEY_LENGTH = 1024;

  public static final int DEFAULT_CACHE_SIZE_MB = 16;

  public LocalDhtConfig {
    listenAddrs = listenAddrs == null ? List.of() : List.copyOf(listenAddrs);
  }

  /** A builder with every default applied. */
  public static Builder builder(Path dataDir, String nodeId) {
    return new Builder(dataDir, nodeId);
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    return new Builder(dataDir, nodeId)
        .listenAddrs(listenAddrs)
        .valueTtl(valueTtl)
        .providerTtl(providerTtl)
        .maxValueBytes(maxValueBytes)
        .maxRecords(maxRecords)
        .maxProviderRecords(maxProviderRecords)
        .maxKeyLength(maxKeyLength)
        .cacheSizeMb(cacheSizeMb);
  }

  /** The store file. */
  public Path file() {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * Checks every field.
   *
   * @return this
   * @throws IllegalArgumentException naming the first bad field
   */
  public LocalDhtConfig validate() {
    require(dataDir != null, "dataDir must be set");
    require(nodeId != null && !nodeId.isBlank(), "nodeId must not be blank");
    require(listenAddrs.stream().allMatch(Objects::nonNull), "listenAddrs must not hold null");
    require(positive(valueTtl), "valueTtl must be positive, was " + valueTtl);
    require(positive(providerTtl), "providerTtl must be positive, was " + providerTtl);
    require(maxValueBytes > 0, "maxValueBytes must be positive, was " + maxValueBytes);
    require(maxRecords > 0, "maxRecords must be positive, was " + maxRecords);
    require(
        maxProviderRecords > 0, "maxProviderRecords must be positive, was " + maxProviderRecords);
    require(maxKeyLength > 0, "maxKeyLength must be positive, was " + maxKeyLength);
    require(cacheSizeMb > 0, "cacheSizeMb must be positive, was " + cacheSizeMb);
    return this;
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("invalid LocalDhtConfig: " + message);
    }
  }

  /** Builder for {@link LocalDhtConfig}; not thread-safe. */
  public static final class Builder {
    private final Path dataDir;
    private final String nodeId;
    private List<String> listenAddrs = List.of();
    private Duration valueTtl = DEFAULT_VALUE_TTL;
    private Duration providerTtl = DEFAULT_PROVIDER_TTL;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private long maxRecords = DEFAULT_MAX_RECORDS;
    private long maxProviderRecords = DEFAULT_MAX_PROVIDER_RECORDS;
    private int maxKeyLength = DEFAULT_MAX_KEY_LENGTH;
    private int cacheSizeMb = DEFAULT_CACHE_SIZE_MB;

    private Builder(Path dataDir, String nodeId) {
      this.dataDir = dataDir;
      this.nodeId = nodeId;
    }

    public Builder listenAddrs(List<String> value) {
      listenAddrs = value;
      return this;
    }

    public Builder valueTtl(Duration value) {
      valueTtl = value;
      return this;
    }

    public Builder providerTtl(Duration value) {
      providerTtl = value;
      return this;
    }

    public Builder maxValueBytes(int value) {
      maxValueBytes = value;
      return this;
    }

    public Builder maxRecords(long value) {
      maxRecords = value;
      return this;
    }

    public Builder maxProviderRecords(long value) {
      maxProviderRecords = value;
      return this;
    }

    public Builder maxKeyLength(int value) {
      maxKeyLength = value;
      return this;
    }

    public Builder cacheSizeMb(int value) {
      cacheSizeMb = value;
      return this;
    }

    /** Builds and validates. */
    public LocalDhtConfig build() {
      return new LocalDhtConfig(
              dataDir,
              nodeId,
              listenAddrs,
              valueTtl,
              providerTtl,
              maxValueBytes,
              maxRecords,
              maxProviderRecords,
              maxKeyLength,
              cacheSizeMb)
          .validate();
    }
  }
}
