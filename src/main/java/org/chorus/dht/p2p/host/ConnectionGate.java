package org.chorus.dht.p2p.host;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of its {@link ConnectionGater}: the current gater plus what it refused. A gater
 * that throws refuses (logged). Thread-safe: a volatile gater and atomic counters.
 */
final class ConnectionGate {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

  private volatile ConnectionGater gater = ConnectionGater.ALLOW_ALL;
  private final AtomicLong dials = new AtomicLong();
  private final AtomicLong accepts = new AtomicLong();
  private final AtomicLong secured = new AtomicLong();
  private final AtomicLong closed = new AtomicLong();

  ConnectionGater gater() {
    return gater;
  }

  void set(ConnectionGater gater) {
    this.gater = java.util.Objects.requireNonNull(gater, "gater");
  }

  boolean allowDial(Optional<PeerId> peer, Multiaddr addr) {
    return count(ask(() -> gater.allowDial(peer, addr)), dials, "dial", addr);
  }

  boolean allowAccept(Multiaddr remote) {
    return count(ask(() -> gater.allowAccept(remote)), accepts, "inbound connection", remote);
  }

  boolean allowSecured(PeerId peer, Connection.Direction direction) {
    return count(ask(() -> gater.allowSecured(peer, direction)), secured, "peer", peer);
  }

  /** Whether the gater still allows the open connection {@code c} (nothing counted). */
  boolean stillAllowed(Connection c) {
    ConnectionGater g = gater;
    return ask(
        () ->
            g.allowSecured(c.remotePeer(), c.direction())
                && (c.direction() == Connection.Direction.INBOUND
                    ? g.allowAccept(c.remoteAddress())
                    : g.allowDial(Optional.of(c.remotePeer()), c.remoteAddress())));
  }

  void closedOne() {
    closed.incrementAndGet();
  }

  Host.GatedConnections counts() {
    return new Host.GatedConnections(dials.get(), accepts.get(), secured.get(), closed.get());
  }

  private static boolean ask(java.util.function.BooleanSupplier decision) {
    try {
      return decision.getAsBoolean();
    } catch (RuntimeException e) {
      LOG.warn("connection gater failed; refusing", e);
      return false;
    }
  }

  private static boolean count(boolean allowed, AtomicLong counter, String what, Object who) {
    if (!allowed) {
      counter.incrementAndGet();
      LOG.debug("connection gater refused {} {}", what, who);
    }
    return allowed;
  }
}
