package org.chorus.dht.kad;

import java.time.Duration;
import java.util.Objects;

/**
 * Every Kademlia knob with its default, validated once (libp2p specs {@code kad-dht/README.md} and
 * DESIGN.md "Kademlia"). Immutable and therefore thread-safe; build with {@link #builder()}
 * (defaults applied first) or take {@link #defaults()}.
 *
 * @param k bucket size and replication parameter (spec: 20)
 * @param alpha concurrency of one query: RPCs in flight (spec: 10)
 * @param beta resiliency: a lookup may stop once this many of the closest peers answered and no
 *     closer peer is known (go-libp2p-kad-dht: 3)
 * @param rpcTimeout time allowed for one request/response
 * @param queryTimeout deadline of one whole iterative query
 * @param maxMessageSize cap on one framed kad message
 * @param recordTtl how long a stored value is kept
 * @param providerTtl how long a provider record is valid
 * @param providerAddrTtl how long a provider's addresses are kept
 * @param reprovideInterval how often our provider records are re-announced
 * @param refreshInterval how often the routing table is refreshed (self-lookup, stale buckets)
 * @param replacementCacheSize candidates remembered per full bucket
 * @param diversity routing-table IP diversity limits
 * @param protocolPrefix prefix of the protocol id, e.g. {@code /CHORUS} or {@code /ipfs}
 * @param mode server, client or auto mode
 * @param limits what one node grants its peers: request work pool, per-peer request rate, per-peer
 *     record quota
 */
public record KadConfig(
    int k,
    int alpha,
    int beta,
    Duration rpcTimeout,
    Duration queryTimeout,
    int maxMessageSize,
    Duration recordTtl,
    Duration providerTtl,
    Duration providerAddrTtl,
    Duration reprovideInterval,
    Duration refreshInterval,
    int replacementCacheSize,
    Diversity diversity,
    String protocolPrefix,
    Mode mode,
    Limits limits) {

  public static final int DEFAULT_K = 20;
  public static final int DEFAULT_ALPHA = 10;
  public static final int DEFAULT_BETA = 3;
  public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
  public static final Duration DEFAULT_RECORD_TTL = Duration.ofHours(48);
  public static final Duration DEFAULT_PROVIDER_TTL = Duration.ofHours(48);
  public static final Duration DEFAULT_PROVIDER_ADDR_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_REPROVIDE_INTERVAL = Duration.ofHours(22);
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(10);
  public static final int DEFAULT_REPLACEMENT_CACHE_SIZE = DEFAULT_K;
  public static final String DEFAULT_PROTOCOL_PREFIX = "/CHORUS";
  public static final Mode DEFAULT_MODE = Mode.AUTO;

  /** Upper bound on k: a bucket is a list scanned linearly. */
  public static final int MAX_K = 256;

  /** Protocol id suffix after the prefix (spec: {@code /ipfs/kad/1.0.0}). */
  public static final String PROTOCOL_SUFFIX = "/kad/1.0.0";

  /** Server mode answers kad requests and advertises the protocol; client mode does neither. */
  public enum Mode {
    CLIENT,
    SERVER,
    /** Server when publicly reachable, client otherwise (decided by the host layer). */
    AUTO
  }

  /**
   * IP diversity of the routing table: at most {@code maxPerGroupPerBucket} peers of one IPv4 /16
   * group in a bucket and {@code maxPerGroupPerTable} in the whole table. It makes an eclipse
   * attack from one network block expensive. Loopback and private ranges are exempt when {@code
   * exemptPrivate} (local clusters and tests would otherwise be capped at 3 peers).
   */
  public record Diversity(
      boolean enabled, int maxPerGroupPerBucket, int maxPerGroupPerTable, boolean exemptPrivate) {

    public static final int DEFAULT_MAX_PER_GROUP_PER_BUCKET = 2;
    public static final int DEFAULT_MAX_PER_GROUP_PER_TABLE = 3;

    public static Diversity defaults() {
      return new Diversity(
          true, DEFAULT_MAX_PER_GROUP_PER_BUCKET, DEFAULT_MAX_PER_GROUP_PER_TABLE, true);
    }

    /** No limits at all. */
    public static Diversity disabled() {
      return new Diversity(false, Integer.MAX_VALUE, Integer.MAX_VALUE, true);
    }

    void validate() {
      if (maxPerGroupPerBucket < 1 || maxPerGroupPerTable < 1) {
        throw new IllegalArgumentException(
            "invalid kad config: diversity caps must be >= 1, got "
                + maxPerGroupPerBucket
                + "/"
                + maxPerGroupPerTable);
      }
    }
  }

  /**
   * What peers may cost this node (ARCHITECTURE.md "Kad limits"). Inbound kad requests are framed
   * on the event loops and worked on a small fixed pool ({@code workerThreads}) behind a bounded
   * queue ({@code workQueue} requests and {@code workQueueBytes} of their messages, whichever comes
   * first): a request that does not fit is refused with a stream reset, never queued without bound.
   * Each remote peer has a token bucket of {@code requestsPerSecond} refilling up to {@code
   * requestBurst} requests; buckets are kept for at most {@code maxRateLimitedPeers} peers (the
   * least recently seen goes first). A peer may have at most {@code maxRecordsPerPeer} records and
   * {@code maxBytesPerPeer} bytes (key + value) stored here through its PUTs.
   *
   * @param workerThreads threads working kad requests and validating what peers send
   * @param workQueue requests waiting for a worker at most (this node's own lookups may use up to
   *     twice as many slots, so peers filling the queue delay our lookups but do not refuse them)
   * @param workQueueBytes bytes of waiting requests at most (at least one maximal message)
   * @param requestsPerSecond sustained kad requests per second of one peer
   * @param requestBurst requests one peer may send at once after being idle
   * @param maxRateLimitedPeers peers whose buckets are remembered
   * @param maxRecordsPerPeer records stored here through one peer's PUTs
   * @param maxBytesPerPeer bytes (keys and values) stored here through one peer's PUTs
   */
  public record Limits(
      int workerThreads,
      int workQueue,
      long workQueueBytes,
      double requestsPerSecond,
      int requestBurst,
      int maxRateLimitedPeers,
      int maxRecordsPerPeer,
      long maxBytesPerPeer) {

    /** Validation is CPU, a store write mostly waits for a group fsync: a few threads suffice. */
    public static final int DEFAULT_WORKER_THREADS = 4;

    public static final int DEFAULT_WORK_QUEUE = 128;

    /** 64 MiB: sixteen maximal (4 MiB) messages. */
    public static final long DEFAULT_WORK_QUEUE_BYTES = 64L * 1024 * 1024;

    /**
     * A busy honest writer sends each peer about two requests per item it stores (a lookup step and
     * the PUT): at a few hundred stores a second that is up to 1,000 requests a second from one
     * peer, and a bulk load or a drain after an outage bursts above it. The limit stops floods far
     * beyond that; what one peer's requests may cost in CPU and memory is bounded by the work pool.
     */
    public static final double DEFAULT_REQUESTS_PER_SECOND = 1000;

    public static final int DEFAULT_REQUEST_BURST = 2000;

    public static final int DEFAULT_MAX_RATE_LIMITED_PEERS = 4096;

    /**
     * A quarter of the record store's cap (100,000 keys): no one peer fills the store, while a node
     * that writes much (every item it stores goes to the k closest, charged to it there) still
     * places 25,000 items per peer; a fleet where one writer stores more per node raises it.
     */
    public static final int DEFAULT_MAX_RECORDS_PER_PEER = 25_000;

    /**
     * 1 GiB: with MVStore's space overhead about a tenth of the Helm chart's 10 GiB volume, so no
     * one peer fills the disk.
     */
    public static final long DEFAULT_MAX_BYTES_PER_PEER = 1024L * 1024 * 1024;

    public static Limits defaults() {
      return new Limits(
          DEFAULT_WORKER_THREADS,
          DEFAULT_WORK_QUEUE,
          DEFAULT_WORK_QUEUE_BYTES,
          DEFAULT_REQUESTS_PER_SECOND,
          DEFAULT_REQUEST_BURST,
          DEFAULT_MAX_RATE_LIMITED_PEERS,
          DEFAULT_MAX_RECORDS_PER_PEER,
          DEFAULT_MAX_BYTES_PER_PEER);
    }

    public Limits withWorkers(int threads, int queue, long queueBytes) {
      return new Limits(
          threads,
          queue,
          queueBytes,
          requestsPerSecond,
          requestBurst,
          maxRateLimitedPeers,
          maxRecordsPerPeer,
          maxBytesPerPeer);
    }

    public Limits withRequestRate(double perSecond, int burst) {
      return new Limits(
          workerThreads,
          workQueue,
          workQueueBytes,
          perSecond,
          burst,
          maxRateLimitedPeers,
          maxRecordsPerPeer,
          maxBytesPerPeer);
    }

    public Limits withQuota(int records, long bytes) {
      return new Limits(
          workerThreads,
          workQueue,
          workQueueBytes,
          requestsPerSecond,
          requestBurst,
          maxRateLimitedPeers,
          records,
          bytes);
    }

    /** The per-peer record quota for the record store. */
    public org.chorus.dht.kad.records.RecordStore.Quota quota() {
      return new org.chorus.dht.kad.records.RecordStore.Quota(maxRecordsPerPeer, maxBytesPerPeer);
    }

    void validate(int maxMessageSize) {
      requireRange("limits.workerThreads", workerThreads, 1, 256);
      requireRange("limits.workQueue", workQueue, 1, 1 << 20);
      if (workQueueBytes < maxMessageSize) {
        throw new IllegalArgumentException(
            "invalid kad config: limits.workQueueBytes = "
                + workQueueBytes
                + " is less than one message of maxMessageSize "
                + maxMessageSize);
      }
      if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
        throw new IllegalArgumentException(
            "invalid kad config: limits.requestsPerSecond must be > 0 and finite: "
                + requestsPerSecond);
      }
      requireRange("limits.requestBurst", requestBurst, 1, Integer.MAX_VALUE);
      requireRange("limits.maxRateLimitedPeers", maxRateLimitedPeers, 1, 1 << 20);
      requireRange("limits.maxRecordsPerPeer", maxRecordsPerPeer, 1, Integer.MAX_VALUE);
      if (maxBytesPerPeer < 1) {
        throw new IllegalArgumentException(
            "invalid kad config: limits.maxBytesPerPeer must be >= 1: " + maxBytesPerPeer);
      }
    }
  }

  public KadConfig {
    Objects.requireNonNull(rpcTimeout, "rpcTimeout");
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    Objects.requireNonNull(recordTtl, "recordTtl");
    Objects.requireNonNull(providerTtl, "providerTtl");
    Objects.requireNonNull(providerAddrTtl, "providerAddrTtl");
    Objects.requireNonNull(reprovideInterval, "reprovideInterval");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(diversity, "diversity");
    Objects.requireNonNull(protocolPrefix, "protocolPrefix");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(limits, "limits");
  }

  public static KadConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder()
        .k(k)
        .alpha(alpha)
        .beta(beta)
        .rpcTimeout(rpcTimeout)
        .queryTimeout(queryTimeout)
        .maxMessageSize(maxMessageSize)
        .recordTtl(recordTtl)
        .providerTtl(providerTtl)
        .providerAddrTtl(providerAddrTtl)
        .reprovideInterval(reprovideInterval)
        .refreshInterval(refreshInterval)
        .replacementCacheSize(replacementCacheSize)
        .diversity(diversity)
        .protocolPrefix(protocolPrefix)
        .mode(mode)
        .limits(limits);
  }

  /** The kad protocol id, e.g. {@code /CHORUS/kad/1.0.0}. */
  public String protocolId() {
    return protocolPrefix + PROTOCOL_SUFFIX;
  }

  /**
   * Checks every value; returns this for chaining.
   *
   * @throws IllegalArgumentException naming the first invalid knob
   */
  public KadConfig validate() {
    requireRange("k", k, 1, MAX_K);
    requireRange("alpha", alpha, 1, MAX_K);
    requireRange("beta", beta, 1, k);
    requireRange("maxMessageSize", maxMessageSize, 1024, 64 * 1024 * 1024);
    requireRange("replacementCacheSize", replacementCacheSize, 0, MAX_K);
    requirePositive("rpcTimeout", rpcTimeout);
    requirePositive("queryTimeout", queryTimeout);
    requirePositive("recordTtl", recordTtl);
    requirePositive("providerTtl", providerTtl);
    requirePositive("providerAddrTtl", providerAddrTtl);
    requirePositive("reprovideInterval", reprovideInterval);
    requirePositive("refreshInterval", refreshInterval);
    if (queryTimeout.compareTo(rpcTimeout) < 0) {
      throw new IllegalArgumentException(
          "invalid kad config: queryTimeout " + queryTimeout + " < rpcTimeout " + rpcTimeout);
    }
    if (reprovideInterval.compareTo(providerTtl) >= 0) {
      throw new IllegalArgumentException(
          "invalid kad config: reprovideInterval must be shorter than providerTtl");
    }
    if (!protocolPrefix.isEmpty()
        && (!protocolPrefix.startsWith("/") || protocolPrefix.endsWith("/"))) {
      throw new IllegalArgumentException(
          "invalid kad config: protocolPrefix must start and not end with '/': " + protocolPrefix);
    }
    diversity.validate();
    limits.validate(maxMessageSize);
    return this;
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "invalid kad config: " + name + " = " + value + " not in [" + min + ", " + max + "]");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("invalid kad config: " + name + " must be > 0: " + d);
    }
  }

  /** Builder with every default pre-set; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private int k = DEFAULT_K;
    private int alpha = DEFAULT_ALPHA;
    private int beta = DEFAULT_BETA;
    private Duration rpcTimeout = DEFAULT_RPC_TIMEOUT;
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration recordTtl = DEFAULT_RECORD_TTL;
    private Duration providerTtl = DEFAULT_PROVIDER_TTL;
    private Duration providerAddrTtl = DEFAULT_PROVIDER_ADDR_TTL;
    private Duration reprovideInterval = DEFAULT_REPROVIDE_INTERVAL;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private int replacementCacheSize = DEFAULT_REPLACEMENT_CACHE_SIZE;
    private Diversity diversity = Diversity.defaults();
    private String protocolPrefix = DEFAULT_PROTOCOL_PREFIX;
    private Mode mode = DEFAULT_MODE;
    private Limits limits = Limits.defaults();

    private Builder() {}

    public Builder k(int v) {
      this.k = v;
      return this;
    }

    public Builder alpha(int v) {
      this.alpha = v;
      return this;
    }

    public Builder beta(int v) {
      this.beta = v;
      return this;
    }

    public Builder rpcTimeout(Duration v) {
      this.rpcTimeout = v;
      return this;
    }

    public Builder queryTimeout(Duration v) {
      this.queryTimeout = v;
      return this;
    }

    public Builder maxMessageSize(int v) {
      this.maxMessageSize = v;
      return this;
    }

    public Builder recordTtl(Duration v) {
      this.recordTtl = v;
      return this;
    }

    public Builder providerTtl(Duration v) {
      this.providerTtl = v;
      return this;
    }

    public Builder providerAddrTtl(Duration v) {
      this.providerAddrTtl = v;
      return this;
    }

    public Builder reprovideInterval(Duration v) {
      this.reprovideInterval = v;
      return this;
    }

    public Builder refreshInterval(Duration v) {
      this.refreshInterval = v;
      return this;
    }

    public Builder replacementCacheSize(int v) {
      this.replacementCacheSize = v;
      return this;
    }

    public Builder diversity(Diversity v) {
      this.diversity = v;
      return this;
    }

    public Builder protocolPrefix(String v) {
      this.protocolPrefix = v;
      return this;
    }

    public Builder mode(Mode v) {
      this.mode = v;
      return this;
    }

    public Builder limits(Limits v) {
      this.limits = v;
      return this;
    }

    /** Builds and validates. */
    public KadConfig build() {
      return new KadConfig(
              k,
              alpha,
              beta,
              rpcTimeout,
              queryTimeout,
              maxMessageSize,
              recordTtl,
              providerTtl,
              providerAddrTtl,
              reprovideInterval,
              refreshInterval,
              replacementCacheSize,
              diversity,
              protocolPrefix,
              mode,
              limits)
          .validate();
    }
  }
}
