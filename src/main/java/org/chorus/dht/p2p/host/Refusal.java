package org.chorus.dht.p2p.host;

/**
 * Why the host refused or closed a connection or a stream; each is counted ({@link
 * Host#refused(Refusal)}) and exported as {@code chorus_p2p_refused_total{reason=<label>}}.
 */
public enum Refusal {
  /** An inbound connection over {@link ConnectionLimits#maxInboundPerIp()}. */
  PER_IP("per_ip"),
  /** An inbound connection over {@link ConnectionLimits#maxInboundConnections()}. */
  INBOUND_FULL("inbound_full"),
  /** An inbound connection still in its handshake, closed to make room for a fairer newcomer. */
  EVICTED("evicted"),
  /** A dial over {@link ConnectionLimits#maxOutboundConnections()}. */
  OUTBOUND_FULL("outbound_full"),
  /** A connection over {@link ConnectionLimits#maxConnectionsPerPeer()}. */
  PER_PEER("per_peer"),
  /** A connection to or from a denied peer (or an open one closed when the peer was denied). */
  DENIED("denied"),
  /** A connection to or from a peer not on a non-empty allow-list. */
  NOT_ALLOWED("not_allowed"),
  /** An inbound connection whose upgrade did not finish within the handshake timeout. */
  HANDSHAKE_TIMEOUT("handshake_timeout"),
  /** A stream reset (or connection closed) over {@link ConnectionLimits#maxConnectionMemory()}. */
  MEMORY("memory"),
  /** The same over {@link ConnectionLimits#maxMemory()}, all connections together. */
  MEMORY_TOTAL("memory_total"),
  /** An inbound stream over the muxer's streams per connection ({@code yamux.maxStreams}). */
  STREAMS("streams"),
  /** A connection or dial the {@link ConnectionGater} refused. */
  GATED("gated");

  private final String label;

  Refusal(String label) {
    this.label = label;
  }

  /** The metric tag value. */
  public String label() {
    return label;
  }
}
