package org.chorus.dht.p2p.protocol.autonat;

import java.time.Duration;

/**
 * Every AutoNAT knob next to its default, validated in the constructor. Immutable; build with
 * {@link #builder()}.
 *
 * @param serverEnabled whether the host serves {@code /libp2p/autonat/1.0.0} (dials peers back)
 * @param dialTimeout the server's whole dial-back attempt (all addresses)
 * @param maxConcurrentDials dial-backs in progress at once; more requests get {@code
 *     E_DIAL_REFUSED}
 * @param maxDialsPerPeer dial-backs for one peer per {@code throttleWindow}; more get {@code
 *     E_DIAL_REFUSED}
 * @param throttleWindow the period after which the per-peer counts start again
 * @param maxTrackedPeers peers counted within one window (a cap on the rate limiter's memory); new
 *     peers beyond it are refused until the window ends
 * @param maxDialAddrs addresses the server tries for one request
 * @param requestTimeout the client's wait for a response, and the server's for a request
 * @param bootDelay first probe after probing starts (peers need time to connect)
 * @param retryInterval probe period while reachability is unknown or not yet confirmed
 * @param refreshInterval probe period once it is confirmed
 * @param confirmations consecutive agreeing answers that decide reachability (fewer when fewer
 *     AutoNAT peers are connected; see {@link ReachabilityTracker})
 */
public record AutoNatConfig(
    boolean serverEnabled,
    Duration dialTimeout,
    int maxConcurrentDials,
    int maxDialsPerPeer,
    Duration throttleWindow,
    int maxTrackedPeers,
    int maxDialAddrs,
    Duration requestTimeout,
    Duration bootDelay,
    Duration retryInterval,
    Duration refreshInterval,
    int confirmations) {
  public static final boolean DEFAULT_SERVER_ENABLED = true;
  public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_MAX_CONCURRENT_DIALS = 8;
  public static final int DEFAULT_MAX_DIALS_PER_PEER = 3;
  public static final Duration DEFAULT_THROTTLE_WINDOW = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_TRACKED_PEERS = 1024;
  public static final int DEFAULT_MAX_DIAL_ADDRS = 8;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_BOOT_DELAY = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(90);
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(15);
  public static final int DEFAULT_CONFIRMATIONS = 3;

  public static final AutoNatConfig DEFAULT = builder().build();

  public AutoNatConfig {
    positive("dialTimeout", dialTimeout);
    positive("throttleWindow", throttleWindow);
    positive("requestTimeout", requestTimeout);
    positive("retryInterval", retryInterval);
    positive("refreshInterval", refreshInterval);
    if (bootDelay == null || bootDelay.isNegative()) {
      throw new IllegalArgumentException("bootDelay must not be negative: " + bootDelay);
    }
    atLeastOne("maxConcurrentDials", maxConcurrentDials);
    atLeastOne("maxDialsPerPeer", maxDialsPerPeer);
    atLeastOne("maxTrackedPeers", maxTrackedPeers);
    atLeastOne("maxDialAddrs", maxDialAddrs);
    atLeastOne("confirmations", confirmations);
    if (maxDialAddrs > AutoNatCodec.MAX_ADDRS) {
      throw new IllegalArgumentException(
          "maxDialAddrs must be <= " + AutoNatCodec.MAX_ADDRS + ": " + maxDialAddrs);
    }
    if (requestTimeout.compareTo(dialTimeout) <= 0) {
      throw new IllegalArgumentException(
          "requestTimeout must exceed dialTimeout: " + requestTimeout + " <= " + dialTimeout);
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  private static void atLeastOne(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1: " + v);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts from the defaults. */
  public static final class Builder {
    private boolean serverEnabled = DEFAULT_SERVER_ENABLED;
    private Duration dialTimeout = DEFAULT_DIAL_TIMEOUT;
    private int maxConcurrentDials = DEFAULT_MAX_CONCURRENT_DIALS;
    private int maxDialsPerPeer = DEFAULT_MAX_DIALS_PER_PEER;
    private Duration throttleWindow = DEFAULT_THROTTLE_WINDOW;
    private int maxTrackedPeers = DEFAULT_MAX_TRACKED_PEERS;
    private int maxDialAddrs = DEFAULT_MAX_DIAL_ADDRS;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration bootDelay = DEFAULT_BOOT_DELAY;
    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private int confirmations = DEFAULT_CONFIRMATIONS;

    public Builder serverEnabled(boolean v) {
      serverEnabled = v;
      return this;
    }

    public Builder dialTimeout(Duration v) {
      dialTimeout = v;
      return this;
    }

    public Builder maxConcurrentDials(int v) {
      maxConcurrentDials = v;
      return this;
    }

    public Builder maxDialsPerPeer(int v) {
      maxDialsPerPeer = v;
      return this;
    }

    public Builder throttleWindow(Duration v) {
      throttleWindow = v;
      return this;
    }

    public Builder maxTrackedPeers(int v) {
      maxTrackedPeers = v;
      return this;
    }

    public Builder maxDialAddrs(int v) {
      maxDialAddrs = v;
      return this;
    }

    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    public Builder bootDelay(Duration v) {
      bootDelay = v;
      return this;
    }

    public Builder retryInterval(Duration v) {
      retryInterval = v;
      return this;
    }

    public Builder refreshInterval(Duration v) {
      refreshInterval = v;
      return this;
    }

    public Builder confirmations(int v) {
      confirmations = v;
      return this;
    }

    public AutoNatConfig build() {
      return new AutoNatConfig(
          serverEnabled,
          dialTimeout,
          maxConcurrentDials,
          maxDialsPerPeer,
          throttleWindow,
          maxTrackedPeers,
          maxDialAddrs,
          requestTimeout,
          bootDelay,
          retryInterval,
          refreshInterval,
          confirmations);
    }
  }
}
