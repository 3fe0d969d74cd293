package org.chorus.dht.p2p.host;

import java.time.Duration;

/**
 * The host's connection limits (its resource manager, {@link ResourceManager}), each with its
 * default; validated once ({@link #validate()} runs in the constructor). Immutable; build with
 * {@link #builder()}. Every refusal is counted by reason ({@link Refusal}).
 *
 * <p>Why these: inbound and outbound connections have their own slots, so a flood of inbound
 * connections never stops the node from dialling out (its lookups, its bootstrap); the per-IP cap
 * makes one address (or one NAT) hold at most a few inbound slots, and a full set of inbound slots
 * gives way to a newcomer from a less represented address (see {@link ResourceManager}); the
 * handshake deadline frees slots held by connections that never finish the upgrade; the memory
 * budgets bound what a connection, and all of them together, can make the node buffer (without
 * them, 256 streams of 4 MiB kad messages let one connection hold about 1 GiB).
 *
 * @param maxInboundConnections inbound connections open or being upgraded at once; more are closed
 *     at accept ({@link Refusal#INBOUND_FULL})
 * @param maxOutboundConnections outbound connections open or being dialled; more dials fail ({@link
 *     Refusal#OUTBOUND_FULL})
 * @param maxInboundPerIp inbound connections from one source IP address (loopback included: every
 *     127.0.0.x address counts on its own); more are closed at accept ({@link Refusal#PER_IP})
 * @param maxConnectionsPerPeer connections to one peer id, both directions; more are closed in the
 *     handshake ({@link Refusal#PER_PEER})
 * @param handshakeTimeout the whole upgrade of an inbound connection (multistream, Noise, yamux);
 *     later it is closed ({@link Refusal#HANDSHAKE_TIMEOUT}). Outbound: {@link
 *     HostConfig#dialTimeout()}
 * @param maxConnectionMemory bytes one connection may make the node buffer (held stream data,
 *     partly read messages, queued and unsent writes); a stream over it is reset ({@link
 *     Refusal#MEMORY})
 * @param maxMemory the same for all connections together ({@link Refusal#MEMORY_TOTAL})
 */
public record ConnectionLimits(
    int maxInboundConnections,
    int maxOutboundConnections,
    int maxInboundPerIp,
    int maxConnectionsPerPeer,
    Duration handshakeTimeout,
    long maxConnectionMemory,
    long maxMemory) {
  public static final int DEFAULT_MAX_INBOUND_CONNECTIONS = 512;
  public static final int DEFAULT_MAX_OUTBOUND_CONNECTIONS = 256;
  public static final int DEFAULT_MAX_INBOUND_PER_IP = 8;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 8;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_MAX_CONNECTION_MEMORY = 16L << 20;
  public static final long DEFAULT_MAX_MEMORY = 128L << 20;

  /** Smallest connection budget: a few default yamux windows. */
  public static final long MIN_CONNECTION_MEMORY = 1L << 20;

  public static final ConnectionLimits DEFAULT = builder().build();

  public ConnectionLimits {
    validate(
        maxInboundConnections,
        maxOutboundConnections,
        maxInboundPerIp,
        maxConnectionsPerPeer,
        handshakeTimeout,
        maxConnectionMemory,
        maxMemory);
  }

  /** Throws {@link IllegalArgumentException} naming the first bad limit. */
  public ConnectionLimits validate() {
    validate(
        maxInboundConnections,
        maxOutboundConnections,
        maxInboundPerIp,
        maxConnectionsPerPeer,
        handshakeTimeout,
        maxConnectionMemory,
        maxMemory);
    return this;
  }

  private static void validate(
      int inbound,
      int outbound,
      int perIp,
      int perPeer,
      Duration handshake,
      long connectionMemory,
      long memory) {
    atLeast("maxInboundConnections", inbound, 1);
    atLeast("maxOutboundConnections", outbound, 1);
    atLeast("maxInboundPerIp", perIp, 1);
    atLeast("maxConnectionsPerPeer", perPeer, 1);
    if (handshake == null || handshake.isNegative() || handshake.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive: " + handshake);
    }
    atLeast("maxConnectionMemory", connectionMemory, MIN_CONNECTION_MEMORY);
    atLeast("maxMemory", memory, connectionMemory);
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .maxInboundConnections(maxInboundConnections)
        .maxOutboundConnections(maxOutboundConnections)
        .maxInboundPerIp(maxInboundPerIp)
        .maxConnectionsPerPeer(maxConnectionsPerPeer)
        .handshakeTimeout(handshakeTimeout)
        .maxConnectionMemory(maxConnectionMemory)
        .maxMemory(maxMemory);
  }

  /** Starts from the defaults. */
  public static final class Builder {
    private int maxInboundConnections = DEFAULT_MAX_INBOUND_CONNECTIONS;
    private int maxOutboundConnections = DEFAULT_MAX_OUTBOUND_CONNECTIONS;
    private int maxInboundPerIp = DEFAULT_MAX_INBOUND_PER_IP;
    private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private long maxConnectionMemory = DEFAULT_MAX_CONNECTION_MEMORY;
    private long maxMemory = DEFAULT_MAX_MEMORY;

    public Builder maxInboundConnections(int v) {
      maxInboundConnections = v;
      return this;
    }

    public Builder maxOutboundConnections(int v) {
      maxOutboundConnections = v;
      return this;
    }

    public Builder maxInboundPerIp(int v) {
      maxInboundPerIp = v;
      return this;
    }

    public Builder maxConnectionsPerPeer(int v) {
      maxConnectionsPerPeer = v;
      return this;
    }

    public Builder handshakeTimeout(Duration v) {
      handshakeTimeout = v;
      return this;
    }

    public Builder maxConnectionMemory(long v) {
      maxConnectionMemory = v;
      return this;
    }

    public Builder maxMemory(long v) {
      maxMemory = v;
      return this;
    }

    public ConnectionLimits build() {
      return new ConnectionLimits(
          maxInboundConnections,
          maxOutboundConnections,
          maxInboundPerIp,
          maxConnectionsPerPeer,
          handshakeTimeout,
          maxConnectionMemory,
          maxMemory);
    }
  }
}
