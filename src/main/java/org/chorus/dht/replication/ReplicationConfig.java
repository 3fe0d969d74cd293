package org.chorus.dht.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * Every knob of replication with its default (DESIGN.md, {@code chorus.replication.*}); immutable,
 * checked once by {@link #validate()}.
 *
 * @param factor wanted copies of each value, this node's included
 * @param reprovideInterval how often each key is republished (re-PUT to the k closest) and
 *     reprovided (ADD_PROVIDER); keys are spread over it by a per-key phase, so each key is handled
 *     every {@code reprovideInterval} (at most 1.5 times it right after a first store)
 * @param cleanupInterval how often the state store drops entries of content that no node holds any
 *     more (see {@link ReplicationManager#cleanup()})
 * @param providerTtl how long a provider record stays valid; reprovide must come well before
 * @param maxProvidersPerKey providers listed in a status (named cap)
 * @param maxConcurrentReplications keys handled at once by the scheduler (named cap)
 * @param autoReplication repair under-replicated keys on their own
 * @param reprovideEnabled republish and reprovide on the schedule
 * @param tickInterval how often the scheduler looks for due keys
 * @param repairBackoff first retry delay of a failed repair; doubles per failure
 * @param maxRepairBackoff longest retry delay
 * @param maxKeys named cap: keys tracked (registering more is refused)
 */
public record ReplicationConfig(
    int factor,
    Duration reprovideInterval,
    Duration cleanupInterval,
    Duration providerTtl,
    int maxProvidersPerKey,
    int maxConcurrentReplications,
    boolean autoReplication,
    boolean reprovideEnabled,
    Duration tickInterval,
    Duration repairBackoff,
    Duration maxRepairBackoff,
    int maxKeys) {

  public static final int DEFAULT_FACTOR = 3;
  public static final Duration DEFAULT_REPROVIDE_INTERVAL = Duration.ofHours(12);
  public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofHours(1);
  public static final Duration DEFAULT_PROVIDER_TTL = Duration.ofHours(24);
  public static final int DEFAULT_MAX_PROVIDERS_PER_KEY = 10;
  public static final int DEFAULT_MAX_CONCURRENT_REPLICATIONS = 5;
  public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_REPAIR_BACKOFF = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_REPAIR_BACKOFF = Duration.ofHours(1);
  public static final int DEFAULT_MAX_KEYS = 1_000_000;

  /** Kad value (and provider record) expiry that republish and reprovide must beat. */
  public static final Duration RECORD_EXPIRY = Duration.ofHours(48);

  /** The defaults. */
  public static final ReplicationConfig DEFAULT = builder().build();

  public ReplicationConfig {
    Objects.requireNonNull(reprovideInterval, "reprovideInterval");
    Objects.requireNonNull(cleanupInterval, "cleanupInterval");
    Objects.requireNonNull(providerTtl, "providerTtl");
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(repairBackoff, "repairBackoff");
    Objects.requireNonNull(maxRepairBackoff, "maxRepairBackoff");
  }

  /**
   * Checks the values and returns this config.
   *
   * @throws IllegalArgumentException naming the first bad knob
   */
  public ReplicationConfig validate() {
    require(factor >= 1 && factor <= 20, "factor must be 1..20 (k), was " + factor);
    positive(reprovideInterval, "reprovideInterval");
    positive(cleanupInterval, "cleanupInterval");
    positive(providerTtl, "providerTtl");
    positive(tickInterval, "tickInterval");
    positive(repairBackoff, "repairBackoff");
    require(
        maxRepairBackoff.compareTo(repairBackoff) >= 0,
        "maxRepairBackoff must be at least repairBackoff");
    Duration longestGap = reprovideInterval.multipliedBy(3).dividedBy(2);
    require(
        longestGap.compareTo(providerTtl) < 0 && longestGap.compareTo(RECORD_EXPIRY) < 0,
        "reprovideInterval * 1.5 must be below providerTtl and the 48h record expiry, was "
            + reprovideInterval);
    require(maxProvidersPerKey >= 1, "maxProvidersPerKey must be at least 1");
    require(
        maxConcurrentReplications >= 1 && maxConcurrentReplications <= 1000,
        "maxConcurrentReplications must be 1..1000");
    require(maxKeys >= 1, "maxKeys must be at least 1");
    return this;
  }

  private static void positive(Duration d, String name) {
    require(!d.isNegative() && !d.isZero(), name + " must be positive, was " + d);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid replication config: " + message);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from the defaults. */
  public static final class Builder {
    private int factor = DEFAULT_FACTOR;
    private Duration reprovideInterval = DEFAULT_REPROVIDE_INTERVAL;
    private Duration cleanupInterval = DEFAULT_CLEANUP_INTERVAL;
    private Duration providerTtl = DEFAULT_PROVIDER_TTL;
    private int maxProvidersPerKey = DEFAULT_MAX_PROVIDERS_PER_KEY;
    private int maxConcurrentReplications = DEFAULT_MAX_CONCURRENT_REPLICATIONS;
    private boolean autoReplication = true;
    private boolean reprovideEnabled = true;
    private Duration tickInterval = DEFAULT_TICK_INTERVAL;
    private Duration repairBackoff = DEFAULT_REPAIR_BACKOFF;
    private Duration maxRepairBackoff = DEFAULT_MAX_REPAIR_BACKOFF;
    private int maxKeys = DEFAULT_MAX_KEYS;

    private Builder() {}

    public Builder factor(int v) {
      factor = v;
      return this;
    }

    public Builder reprovideInterval(Duration v) {
      reprovideInterval = v;
      return this;
    }

    public Builder cleanupInterval(Duration v) {
      cleanupInterval = v;
      return this;
    }

    public Builder providerTtl(Duration v) {
      providerTtl = v;
      return this;
    }

    public Builder maxProvidersPerKey(int v) {
      maxProvidersPerKey = v;
      return this;
    }

    public Builder maxConcurrentReplications(int v) {
      maxConcurrentReplications = v;
      return this;
    }

    public Builder autoReplication(boolean v) {
      autoReplication = v;
      return this;
    }

    public Builder reprovideEnabled(boolean v) {
      reprovideEnabled = v;
      return this;
    }

    public Builder tickInterval(Duration v) {
      tickInterval = v;
      return this;
    }

    public Builder repairBackoff(Duration v) {
      repairBackoff = v;
      return this;
    }

    public Builder maxRepairBackoff(Duration v) {
      maxRepairBackoff = v;
      return this;
    }

    public Builder maxKeys(int v) {
      maxKeys = v;
      return this;
    }

    public ReplicationConfig build() {
      return new ReplicationConfig(
          factor,
          reprovideInterval,
          cleanupInterval,
          providerTtl,
          maxProvidersPerKey,
          maxConcurrentReplications,
          autoReplication,
          reprovideEnabled,
          tickInterval,
          repairBackoff,
          maxRepairBackoff,
          maxKeys);
    }
  }
}
