package org.chorus.dht.p2p.host;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A {@link ConnectionGater} that refuses listed peer ids (at dial time when the address names the
 * peer, and after every handshake) and listed IP addresses (at dial and accept time). Entries can
 * be added and removed at any time; {@link Host#closeGatedConnections()} then closes open
 * connections to newly denied peers. At most {@link #MAX_ENTRIES} peers and as many addresses (a
 * deny list is meant to be short; beyond that, firewall the traffic).
 *
 * <p>For peer ids the host's own {@link PeerAccess} ({@link Host#denyPeer}, {@link
 * HostConfig#deniedPeers()}) is the better place: it refuses inside the Noise handshake, before the
 * dialer reveals itself. This gater remains for address rules and tests.
 *
 * <p>Thread-safe: both lists are concurrent sets.
 */
public final class DenyListGater implements ConnectionGater {

  /** Named cap on each list. */
  public static final int MAX_ENTRIES = 10_000;

  private final Set<PeerId> peers = ConcurrentHashMap.newKeySet();
  private final Set<InetAddress> ips = ConcurrentHashMap.newKeySet();

  /** Denies {@code peer}; throws when the list is full. */
  public void denyPeer(PeerId peer) {
    add(peers, peer, "peers");
  }

  /** Denies every peer of {@code list}; throws when the list would overflow. */
  public void denyPeers(Collection<PeerId> list) {
    list.forEach(this::denyPeer);
  }

  public void allowPeer(PeerId peer) {
    peers.remove(peer);
  }

  /** Denies connections to and from {@code ip}; throws when the list is full. */
  public void denyAddress(InetAddress ip) {
    add(ips, ip, "addresses");
  }

  public void allowAddress(InetAddress ip) {
    ips.remove(ip);
  }

  /** Empties both lists. */
  public void clear() {
    peers.clear();
    ips.clear();
  }

  public Set<PeerId> deniedPeers() {
    return Set.copyOf(peers);
  }

  public Set<InetAddress> deniedAddresses() {
    return Set.copyOf(ips);
  }

  @Override
  public boolean allowDial(Optional<PeerId> peer, Multiaddr addr) {
    return (peer.isEmpty() || !peers.contains(peer.get())) && allowedIp(addr);
  }

  @Override
  public boolean allowAccept(Multiaddr remoteAddr) {
    return allowedIp(remoteAddr);
  }

  @Override
  public boolean allowSecured(PeerId peer, Connection.Direction direction) {
    return !peers.contains(peer);
  }

  private boolean allowedIp(Multiaddr addr) {
    if (ips.isEmpty()) {
      return true;
    }
    return addr.toTcpSocketAddress()
        .map(sa -> sa.getAddress() == null || !ips.contains(sa.getAddress()))
        .orElse(true);
  }

  private static <T> void add(Set<T> set, T entry, String what) {
    if (set.size() >= MAX_ENTRIES && !set.contains(entry)) {
      throw new IllegalStateException(
          "failed to deny " + entry + ": " + MAX_ENTRIES + " " + what + " already denied");
    }
    set.add(java.util.Objects.requireNonNull(entry, "entry"));
  }
}
