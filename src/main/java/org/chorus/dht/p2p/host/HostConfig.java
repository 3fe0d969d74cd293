package org.chorus.dht.p2p.host;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.p2p.protocol.autonat.AutoNatConfig;

/**
 * Every host knob next to its default, validated once ({@link #validate()} runs in the
 * constructor). Immutable; build with {@link #builder()}.
 *
 * @param agentVersion sent in identify
 * @param protocolVersion sent in identify ({@code ipfs/0.1.0}, as js and go send)
 * @param dialTimeout TCP connect plus the whole upgrade (noise, yamux) of an outbound connection
 * @param negotiationTimeout one multistream-select negotiation (connection or stream)
 * @param identifyTimeout the identify exchange after a connection is up
 * @param pingTimeout one ping round trip
 * @param limits connection slots (inbound and outbound apart), per-IP and per-peer caps, the
 *     inbound handshake deadline and the memory budgets: the resource manager's knobs
 * @param idleTimeout a connection with no traffic at all for this long is closed
 * @param maxPendingStreamBytes inbound bytes held for a stream whose listener is not set yet
 * @param ioThreads Netty event-loop threads
 * @param maxPeers peer store entries; a new peer in a full store evicts the least recently seen one
 * @param peerTtl peer store entries not seen for this long are dropped (connected peers are kept)
 * @param peerGcInterval how often the peer store drops entries older than {@code peerTtl}
 * @param allowedPeers the only peers we connect with, both directions (empty: anyone not denied)
 * @param deniedPeers peers we never connect with, both directions (more at run time: {@link
 *     Host#denyPeer})
 * @param yamux the muxer's knobs (window, streams per connection, frame and send-buffer caps)
 * @param autonat AutoNAT: whether we serve dial-backs ({@link AutoNatConfig#serverEnabled()},
 *     default on), the server's limits and the reachability probe's pace
 * @param swarmKey the private network's pre-shared key (pnet PSK v1): when present, every
 *     connection, inbound and outbound, is protected with it before multistream-select, and peers
 *     without it are refused; default none (the public network)
 */
public record HostConfig(
    String agentVersion,
    String protocolVersion,
    Duration dialTimeout,
    Duration negotiationTimeout,
    Duration identifyTimeout,
    Duration pingTimeout,
    ConnectionLimits limits,
    Duration idleTimeout,
    int maxPendingStreamBytes,
    int ioThreads,
    int maxPeers,
    Duration peerTtl,
    Duration peerGcInterval,
    Set<PeerId> allowedPeers,
    Set<PeerId> deniedPeers,
    YamuxConfig yamux,
    AutoNatConfig autonat,
    Optional<SwarmKey> swarmKey) {
  public static final String DEFAULT_AGENT_VERSION = "chorus-dht/0.1.0";
  public static final String DEFAULT_PROTOCOL_VERSION = "ipfs/0.1.0";
  public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDENTIFY_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
  public static final int DEFAULT_MAX_PENDING_STREAM_BYTES = 1024 * 1024;
  public static final int DEFAULT_IO_THREADS = 2;
  public static final int DEFAULT_MAX_PEERS = 10_000;
  public static final Duration DEFAULT_PEER_TTL = Duration.ofHours(1);
  public static final Duration DEFAULT_PEER_GC_INTERVAL = Duration.ofMinutes(5);

  public static final HostConfig DEFAULT = builder().build();

  public HostConfig {
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(protocolVersion, "protocolVersion");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(yamux, "yamux");
    Objects.requireNonNull(autonat, "autonat");
    allowedPeers = Set.copyOf(Objects.requireNonNull(allowedPeers, "allowedPeers"));
    deniedPeers = Set.copyOf(Objects.requireNonNull(deniedPeers, "deniedPeers"));
    Objects.requireNonNull(swarmKey, "swarmKey");
    validate(
        dialTimeout,
        negotiationTimeout,
        identifyTimeout,
        pingTimeout,
        idleTimeout,
        maxPendingStreamBytes,
        ioThreads,
        maxPeers,
        peerTtl,
        peerGcInterval,
        deniedPeers);
  }

  /** Throws {@link IllegalArgumentException} naming the first bad knob. */
  public void validate() {
    limits.validate();
    validate(
        dialTimeout,
        negotiationTimeout,
        identifyTimeout,
        pingTimeout,
        idleTimeout,
        maxPendingStreamBytes,
        ioThreads,
        maxPeers,
        peerTtl,
        peerGcInterval,
        deniedPeers);
  }

  private static void validate(
      Duration dial,
      Duration negotiation,
      Duration identify,
      Duration ping,
      Duration idle,
      int pending,
      int ioThreads,
      int maxPeers,
      Duration peerTtl,
      Duration peerGcInterval,
      Set<PeerId> denied) {
    positive("dialTimeout", dial);
    positive("negotiationTimeout", negotiation);
    positive("identifyTimeout", identify);
    positive("pingTimeout", ping);
    positive("idleTimeout", idle);
    positive("peerTtl", peerTtl);
    positive("peerGcInterval", peerGcInterval);
    if (denied.size() > PeerAccess.MAX_DENIED) {
      throw new IllegalArgumentException(
          "deniedPeers must hold at most " + PeerAccess.MAX_DENIED + " peers: " + denied.size());
    }
    if (pending < 1024) {
      throw new IllegalArgumentException("maxPendingStreamBytes must be >= 1024: " + pending);
    }
    if (ioThreads < 1 || ioThreads > 64) {
      throw new IllegalArgumentException("ioThreads must be in [1, 64]: " + ioThreads);
    }
    if (maxPeers < 1) {
      throw new IllegalArgumentException("maxPeers must be >= 1: " + maxPeers);
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.agentVersion = agentVersion;
    b.protocolVersion = protocolVersion;
    b.dialTimeout = dialTimeout;
    b.negotiationTimeout = negotiationTimeout;
    b.identifyTimeout = identifyTimeout;
    b.pingTimeout = pingTimeout;
    b.limits = limits;
    b.idleTimeout = idleTimeout;
    b.maxPendingStreamBytes = maxPendingStreamBytes;
    b.ioThreads = ioThreads;
    b.maxPeers = maxPeers;
    b.peerTtl = peerTtl;
    b.peerGcInterval = peerGcInterval;
    b.allowedPeers = allowedPeers;
    b.deniedPeers = deniedPeers;
    b.yamux = yamux;
    b.autonat = autonat;
    b.swarmKey = swarmKey;
    return b;
  }

  /** Starts from the defaults. */
  public static final class Builder {
    private String agentVersion = DEFAULT_AGENT_VERSION;
    private String protocolVersion = DEFAULT_PROTOCOL_VERSION;
    private Duration dialTimeout = DEFAULT_DIAL_TIMEOUT;
    private Duration negotiationTimeout = DEFAULT_NEGOTIATION_TIMEOUT;
    private Duration identifyTimeout = DEFAULT_IDENTIFY_TIMEOUT;
    private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
    private ConnectionLimits limits = ConnectionLimits.DEFAULT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxPendingStreamBytes = DEFAULT_MAX_PENDING_STREAM_BYTES;
    private int ioThreads = DEFAULT_IO_THREADS;
    private int maxPeers = DEFAULT_MAX_PEERS;
    private Duration peerTtl = DEFAULT_PEER_TTL;
    private Duration peerGcInterval = DEFAULT_PEER_GC_INTERVAL;
    private Set<PeerId> allowedPeers = Set.of();
    private Set<PeerId> deniedPeers = Set.of();
    private YamuxConfig yamux = YamuxConfig.DEFAULT;
    private AutoNatConfig autonat = AutoNatConfig.DEFAULT;
    private Optional<SwarmKey> swarmKey = Optional.empty();

    public Builder agentVersion(String v) {
      agentVersion = v;
      return this;
    }

    public Builder protocolVersion(String v) {
      protocolVersion = v;
      return this;
    }

    public Builder dialTimeout(Duration v) {
      dialTimeout = v;
      return this;
    }

    public Builder negotiationTimeout(Duration v) {
      negotiationTimeout = v;
      return this;
    }

    public Builder identifyTimeout(Duration v) {
      identifyTimeout = v;
      return this;
    }

    public Builder pingTimeout(Duration v) {
      pingTimeout = v;
      return this;
    }

    public Builder limits(ConnectionLimits v) {
      limits = v;
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    public Builder maxPendingStreamBytes(int v) {
      maxPendingStreamBytes = v;
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    public Builder maxPeers(int v) {
      maxPeers = v;
      return this;
    }

    public Builder peerTtl(Duration v) {
      peerTtl = v;
      return this;
    }

    public Builder peerGcInterval(Duration v) {
      peerGcInterval = v;
      return this;
    }

    public Builder allowedPeers(Set<PeerId> v) {
      allowedPeers = v;
      return this;
    }

    public Builder deniedPeers(Set<PeerId> v) {
      deniedPeers = v;
      return this;
    }

    public Builder yamux(YamuxConfig v) {
      yamux = v;
      return this;
    }

    public Builder autonat(AutoNatConfig v) {
      autonat = v;
      return this;
    }

    /** A private network with key {@code v}; {@code null} for none (the default). */
    public Builder swarmKey(SwarmKey v) {
      swarmKey = Optional.ofNullable(v);
      return this;
    }

    public HostConfig build() {
      return new HostConfig(
          agentVersion,
          protocolVersion,
          dialTimeout,
          negotiationTimeout,
          identifyTimeout,
          pingTimeout,
          limits,
          idleTimeout,
          maxPendingStreamBytes,
          ioThreads,
          maxPeers,
          peerTtl,
          peerGcInterval,
          allowedPeers,
          deniedPeers,
          yamux,
          autonat,
          swarmKey);
    }
  }
}
