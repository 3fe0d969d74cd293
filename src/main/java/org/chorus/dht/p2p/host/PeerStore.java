package org.chorus.dht.p2p.host;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * What we know about other peers: addresses, protocols, agent and protocol version, public key.
 * Bounded: at most {@code maxPeers} entries, {@link #MAX_ADDRS} addresses and {@link
 * #MAX_PROTOCOLS} protocols per peer. Entries are kept in the order they were last seen (any
 * update: a connection, identify, a push, addresses from a lookup); a new peer in a full store
 * evicts the least recently seen one, and {@link #collect} drops those not seen within a time to
 * live; both spare the peers {@link #setRetention retained} (connected, or in the routing table),
 * which count as seen now instead. So the store never stops taking new peers.
 *
 * <p>Thread-safe: every method holds the store's lock (short; the retention test must not block or
 * call back into the store). Time comes from the {@link Clock} given.
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

  private record Entry(PeerInfo info, long seenMillis) {}

  /** Least recently seen first. */
  private final LinkedHashMap<PeerId, Entry> peers = new LinkedHashMap<>();

  private final int maxPeers;
  private final Clock clock;
  private final AtomicLong evicted = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private volatile Predicate<PeerId> retained = p -> false;

  public PeerStore(int maxPeers) {
    this(maxPeers, Clock.systemUTC());
  }

  public PeerStore(int maxPeers, Clock clock) {
    if (maxPeers < 1) {
      throw new IllegalArgumentException("maxPeers must be >= 1: " + maxPeers);
    }
    this.maxPeers = maxPeers;
    this.clock = clock;
  }

  /**
   * Peers neither eviction nor {@link #collect} drops (the host: connected peers; the DHT may add
   * its routing table). Must be fast and must not call the store.
   */
  public void setRetention(Predicate<PeerId> retained) {
    this.retained = java.util.Objects.requireNonNull(retained, "retained");
  }

  public synchronized Optional<PeerInfo> get(PeerId id) {
    Entry e = peers.get(id);
    return e == null ? Optional.empty() : Optional.of(e.info());
  }

  public synchronized List<PeerId> peers() {
    return new ArrayList<>(peers.keySet());
  }

  public synchronized int size() {
    return peers.size();
  }

  /**
   * Entries dropped to make room for a new peer (the least recently seen ones), and new peers left
   * out because every entry was retained.
   */
  public long evicted() {
    return evicted.get();
  }

  /** Entries dropped by {@link #collect} (not seen within the time to live). */
  public long expired() {
    return expired.get();
  }

  /** Forgets a peer (addresses, protocols, key); true when it was known. */
  public synchronized boolean remove(PeerId id) {
    return peers.remove(id) != null;
  }

  /** Marks a known peer as seen now (nothing for an unknown one). */
  public synchronized void touch(PeerId id) {
    Entry e = peers.remove(id);
    if (e != null) {
      peers.put(id, new Entry(e.info(), clock.millis()));
    }
  }

  /**
   * Drops the entries not seen for {@code ttl} or longer (retained peers count as seen now).
   * Returns how many were dropped. Run on a schedule ({@link HostConfig#peerGcInterval()}).
   */
  public synchronized int collect(Duration ttl) {
    long now = clock.millis();
    long cutoff = now - ttl.toMillis();
    Predicate<PeerId> keep = retained;
    int dropped = 0;
    for (int left = peers.size(); left > 0 && !peers.isEmpty(); left--) {
      Map.Entry<PeerId, Entry> eldest = peers.entrySet().iterator().next();
      if (eldest.getValue().seenMillis() > cutoff) {
        break;
      }
      PeerId id = eldest.getKey();
      Entry e = peers.remove(id);
      if (keep.test(id)) {
        peers.put(id, new Entry(e.info(), now));
      } else {
        dropped++;
      }
    }
    expired.addAndGet(dropped);
    return dropped;
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

  private synchronized void update(PeerId id, java.util.function.UnaryOperator<PeerInfo> f) {
    Entry old = peers.remove(id);
    if (old == null && peers.size() >= maxPeers && !evictOne()) {
      evicted.incrementAndGet(); // every entry is retained: the newcomer is the one left out
      return;
    }
    PeerInfo base = old != null ? old.info() : new PeerInfo(id, List.of(), List.of(), "", "", null);
    peers.put(id, new Entry(f.apply(base), clock.millis()));
  }

  /** Drops the least recently seen entry that is not retained; false when all are. */
  private boolean evictOne() {
    long now = clock.millis();
    Predicate<PeerId> keep = retained;
    for (int left = peers.size(); left > 0; left--) {
      Map.Entry<PeerId, Entry> eldest = peers.entrySet().iterator().next();
      PeerId id = eldest.getKey();
      Entry e = peers.remove(id);
      if (!keep.test(id)) {
        evicted.incrementAndGet();
        return true;
      }
      peers.put(id, new Entry(e.info(), now)); // retained: seen now, to the back
    }
    return false;
  }
}
