package org.chorus.dht.kad.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * The intervals of {@link DhtMaintenance}, each with its default, validated once. Immutable and
 * therefore thread-safe; build with {@link #builder()} (defaults applied first) or take {@link
 * #defaults()}. A zero interval disables that job (not allowed for auto-bootstrap, the one job a
 * node cannot join the network without).
 *
 * @param autoBootstrapInterval how often the bootstrap peers are re-dialled while the routing table
 *     is empty (the first attempt runs at once)
 * @param discoveryInterval how often a lookup of a random key (random walk) runs, so the table
 *     fills beyond the bootstrap peers' neighbourhood
 * @param refreshInterval how often {@link org.chorus.dht.kad.Dht#refresh()} runs (self-lookup and
 *     stale buckets)
 * @param stalePeerTimeout a routing-table peer without a successful exchange for longer is pinged
 *     with a kad PING, and evicted if it does not answer
 * @param staleCheckInterval how often stale peers are looked for
 * @param expireInterval how often the local record and provider stores drop expired entries
 * @param jobTimeout longest a run may take; a run still going then counts as failed so the next one
 *     may start (every kad operation has its own shorter deadline, so this is a safety net)
 * @param maxStalePingsPerRun cap on the peers pinged (and so evicted) by one stale-peer run
 */
public record MaintenanceConfig(
    Duration autoBootstrapInterval,
    Duration discoveryInterval,
    Duration refreshInterval,
    Duration stalePeerTimeout,
    Duration staleCheckInterval,
    Duration expireInterval,
    Duration jobTimeout,
    int maxStalePingsPerRun) {

  public static final Duration DEFAULT_AUTO_BOOTSTRAP_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DISCOVERY_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_STALE_PEER_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_STALE_CHECK_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_EXPIRE_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_STALE_PINGS_PER_RUN = 32;

  /** Upper bound of {@link #maxStalePingsPerRun}: one run must stay a small burst of dials. */
  public static final int MAX_STALE_PINGS_PER_RUN = 1024;

  public MaintenanceConfig {
    Objects.requireNonNull(autoBootstrapInterval, "autoBootstrapInterval");
    Objects.requireNonNull(discoveryInterval, "discoveryInterval");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(stalePeerTimeout, "stalePeerTimeout");
    Objects.requireNonNull(staleCheckInterval, "staleCheckInterval");
    Objects.requireNonNull(expireInterval, "expireInterval");
    Objects.requireNonNull(jobTimeout, "jobTimeout");
  }

  public static MaintenanceConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks every value; returns this for chaining.
   *
   * @throws IllegalArgumentException naming the first invalid knob
   */
  public MaintenanceConfig validate() {
    requirePositive("autoBootstrapInterval", autoBootstrapInterval);
    requireNotNegative("discoveryInterval", discoveryInterval);
    requireNotNegative("refreshInterval", refreshInterval);
    requirePositive("stalePeerTimeout", stalePeerTimeout);
    requireNotNegative("staleCheckInterval", staleCheckInterval);
    requireNotNegative("expireInterval", expireInterval);
    requirePositive("jobTimeout", jobTimeout);
    if (maxStalePingsPerRun < 1 || maxStalePingsPerRun > MAX_STALE_PINGS_PER_RUN) {
      throw new IllegalArgumentException(
          "invalid maintenance config: maxStalePingsPerRun = "
              + maxStalePingsPerRun
              + " not in [1, "
              + MAX_STALE_PINGS_PER_RUN
              + "]");
    }
    return this;
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "invalid maintenance config: " + name + " must be > 0: " + d);
    }
  }

  private static void requireNotNegative(String name, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(
          "invalid maintenance config: " + name + " must be >= 0 (0 disables): " + d);
    }
  }

  /** Builder with every default applied. Not thread-safe. */
  public static final class Builder {
    private Duration autoBootstrapInterval = DEFAULT_AUTO_BOOTSTRAP_INTERVAL;
    private Duration discoveryInterval = DEFAULT_DISCOVERY_INTERVAL;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private Duration stalePeerTimeout = DEFAULT_STALE_PEER_TIMEOUT;
    private Duration staleCheckInterval = DEFAULT_STALE_CHECK_INTERVAL;
    private Duration expireInterval = DEFAULT_EXPIRE_INTERVAL;
    private Duration jobTimeout = DEFAULT_JOB_TIMEOUT;
    private int maxStalePingsPerRun = DEFAULT_MAX_STALE_PINGS_PER_RUN;

    private Builder() {}

    public Builder autoBootstrapInterval(Duration d) {
      this.autoBootstrapInterval = d;
      return this;
    }

    public Builder discoveryInterval(Duration d) {
      this.discoveryInterval = d;
      return this;
    }

    public Builder refreshInterval(Duration d) {
      this.refreshInterval = d;
      return this;
    }

    public Builder stalePeerTimeout(Duration d) {
      this.stalePeerTimeout = d;
      return this;
    }

    public Builder staleCheckInterval(Duration d) {
      this.staleCheckInterval = d;
      return this;
    }

    public Builder expireInterval(Duration d) {
      this.expireInterval = d;
      return this;
    }

    public Builder jobTimeout(Duration d) {
      this.jobTimeout = d;
      return this;
    }

    public Builder maxStalePingsPerRun(int n) {
      this.maxStalePingsPerRun = n;
      return this;
    }

    /** The config; call {@link MaintenanceConfig#validate()} to check it. */
    public MaintenanceConfig build() {
      return new MaintenanceConfig(
          autoBootstrapInterval,
          discoveryInterval,
          refreshInterval,
          stalePeerTimeout,
          staleCheckInterval,
          expireInterval,
          jobTimeout,
          maxStalePingsPerRun);
    }
  }
}
