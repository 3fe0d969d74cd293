package org.chorus.dht.kad.wire;

import java.util.List;
import java.util.Objects;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A peer as kad messages carry it ({@code Message.Peer}): id, addresses (without {@code /p2p}) and
 * the sender's view of the connection. Immutable.
 */
public record KadPeer(PeerId id, List<Multiaddr> addrs, Connectedness connection) {
  /** {@code Message.ConnectionType}. */
  public enum Connectedness {
    NOT_CONNECTED,
    CONNECTED,
    CAN_CONNECT,
    CANNOT_CONNECT
  }

  public KadPeer {
    Objects.requireNonNull(id, "id");
    addrs = List.copyOf(addrs);
    Objects.requireNonNull(connection, "connection");
  }

  public KadPeer(PeerId id, List<Multiaddr> addrs) {
    this(id, addrs, Connectedness.NOT_CONNECTED);
  }
}
