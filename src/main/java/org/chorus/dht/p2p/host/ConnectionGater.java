package org.chorus.dht.p2p.host;

import java.util.Optional;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Decides which connections a {@link Host} makes and keeps, at three points (as go-libp2p's {@code
 * ConnectionGater}): before dialling, on accepting an inbound connection, and after the security
 * handshake has proven the remote peer id. A refused connection is closed at once and counted
 * ({@link Host#gatedConnections()}); {@link Host#closeGatedConnections()} closes open connections
 * the gater refuses now. For operators (deny lists, {@link DenyListGater}) and for partition tests.
 *
 * <p>Every method defaults to allow. Implementations must be thread-safe, fast and non-blocking:
 * they are called on Netty event loops and on dialling threads.
 */
public interface ConnectionGater {

  /** Allows every connection: the host's default. */
  ConnectionGater ALLOW_ALL = new ConnectionGater() {};

  /**
   * Before an outbound dial of {@code addr} (resolved, without {@code /p2p}).
   *
   * @param peer the peer id the dial expects, when the address names one
   */
  default boolean allowDial(Optional<PeerId> peer, Multiaddr addr) {
    return true;
  }

  /** On accepting an inbound connection, before any byte is read. */
  default boolean allowAccept(Multiaddr remoteAddr) {
    return true;
  }

  /** After the security handshake proved {@code peer}, before multiplexing, either direction. */
  default boolean allowSecured(PeerId peer, Connection.Direction direction) {
    return true;
  }
}
