package org.chorus.dht.p2p.host;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * What we know about other peers: addresses, protocols, agent and protocol version, public key.
 * Bounded: at most {@code maxPeers} entries (new peers beyond that are dropped and counted), {@link
 * #MAX_ADDRS} addresses and {@link #MAX_PROTOCOLS} protocols per peer. Thread-safe (atomic updates
 * of immutable entries in a concurrent map).
 */
public final class PeerStore {
  public static final int MAX_ADDRS = 32;
  public static final int MAX_PROTOCOLS = 128;

  /** One peer's entry. Empty strings and a null key mean "not known yet". */
  public record PeerInfo(
      PeerId peerId,
      List<Multiaddr> addrs,
      List<String> protocols,
      String agentVersion,
      String protocolVersion,
      byte[] publicKey) {}

  private final ConcurrentHashMap<PeerId, PeerInfo> peers = new ConcurrentHashMap<>();
  private final int maxPeers;
  private final AtomicLong dropped = new AtomicLong();

  public PeerStore(int maxPeers) {
    this.maxPeers = maxPeers;
  }

  public Optional<PeerInfo> get(PeerId id) {
    return Optional.ofNullable(peers.get(id));
  }

  public List<PeerId> peers() {
    return new ArrayList<>(peers.keySet());
  }

  public int size() {
    return peers.size();
  }

  /** Peers not stored because the store was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Forgets a peer (addresses, protocols, key); true when it was known. */
  public boolean remove(PeerId id) {
    return peers.remove(id) != null;
  }

  public void addAddrs(PeerId id, Collection<Multiaddr> addrs) {
    update(
        id,
        p -> {
          LinkedHashSet<Multiaddr> all = new LinkedHashSet<>(p.addrs());
          for (Multiaddr a : addrs) {
            if (all.size() >= MAX_ADDRS) {
              break;
            }
            all.add(a.withoutPeerId());
          }
          return new PeerInfo(
              id,
              List.copyOf(all),
              p.protocols(),
              p.agentVersion(),
              p.protocolVersion(),
              p.publicKey());
        });
  }

  /** Records identify results (replaces protocols, versions and key). */
  public void identified(
      PeerId id,
      byte[] publicKey,
      String agentVersion,
      String protocolVersion,
      List<String> protocols,
      List<Multiaddr> addrs) {
    update(
        id,
        p ->
            new PeerInfo(
                id,
                p.addrs(),
                List.copyOf(protocols.subList(0, Math.min(protocols.size(), MAX_PROTOCOLS))),
                agentVersion,
                protocolVersion,
                publicKey.clone()));
    addAddrs(id, addrs);
  }

  /**
   * Records an identify push: a non-empty protocol list replaces the known one, and a non-empty
   * address list replaces the known addresses (the peer says where it listens now).
   */
  public void pushed(PeerId id, List<String> protocols, List<Multiaddr> addrs) {
    update(
        id,
        p -> {
          List<Multiaddr> a = p.addrs();
          if (!addrs.isEmpty()) {
            LinkedHashSet<Multiaddr> all = new LinkedHashSet<>();
            for (Multiaddr m : addrs) {
              if (all.size() >= MAX_ADDRS) {
                break;
              }
              all.add(m.withoutPeerId());
            }
            a = List.copyOf(all);
          }
          List<String> protos =
              protocols.isEmpty()
                  ? p.protocols()
                  : List.copyOf(protocols.subList(0, Math.min(protocols.size(), MAX_PROTOCOLS)));
          return new PeerInfo(id, a, protos, p.agentVersion(), p.protocolVersion(), p.publicKey());
        });
  }

  public void setPublicKey(PeerId id, byte[] publicKey) {
    update(
        id,
        p ->
            new PeerInfo(
                id,
                p.addrs(),
                p.protocols(),
                p.agentVersion(),
                p.protocolVersion(),
                publicKey.clone()));
  }

  private void update(PeerId id, java.util.function.UnaryOperator<PeerInfo> f) {
    if (!peers.containsKey(id) && peers.size() >= maxPeers) {
      dropped.incrementAndGet();
      return;
    }
    peers.compute(
        id,
        (k, old) ->
            f.apply(old != null ? old : new PeerInfo(id, List.of(), List.of(), "", "", null)));
  }
}
