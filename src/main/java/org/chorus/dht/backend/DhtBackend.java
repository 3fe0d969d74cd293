package org.chorus.dht.backend;

import java.util.List;
import java.util.Optional;

/**
 * A key/value and provider store under the storage layer: the embedded {@code LocalDht}, the
 * Kademlia-backed {@code NetworkDht} or the {@code HybridDht} over both.
 *
 * <p>Keys are DHT keys such as {@code /CHORUS/ucxl/<base64url>}; values are opaque bytes that the
 * backend validates per namespace. Implementations are thread-safe. A missing value is a result
 * ({@link Optional#empty()}), not an exception; {@link DhtBackendException} means the backend could
 * not do what was asked (I/O failure, closed, invalid record).
 */
public interface DhtBackend extends AutoCloseable {

  /** Short name shown in stats and health, e.g. {@code local}, {@code network}. */
  String name();

  /**
   * Stores a value. Returns only when the value is durable locally (synced to disk) and, for a
   * network backend, after the replication attempt; the result says how many replicas hold it.
   */
  PutResult putValue(String key, byte[] value);

  /**
   * Makes {@code value} this node's copy of {@code key}, whatever it held, without sending it to
   * peers: for a network backend, in the record store its peers read, so the value is served and
   * counted as this node's copy before it reaches any peer (the hybrid backend keeps what it stores
   * while the network is out of use there, and a writer that lost a version corrects its own copy
   * to the winner). The value must be valid. Durable when it returns.
   *
   * @return whether the value was stored (false: refused as invalid, or nothing to do)
   */
  default boolean storeOnThisNode(String key, byte[] value) {
    return false;
  }

  /** The current value for the key, if any. */
  Optional<byte[]> getValue(String key);

  /** Deletes the local copy of a value (network copies expire on their own). */
  boolean deleteValue(String key);

  /** Announces this node as a provider of the key. */
  void provide(String key);

  /** Up to {@code count} providers of the key, this node included when it provides it. */
  List<Provider> findProviders(String key, int count);

  /** A snapshot of the backend's state. */
  BackendStats stats();

  /**
   * {@link #stats()}{@code .routingTableSize()}, which a backend may answer without building the
   * rest of the stats (the hybrid backend asks on every operation).
   */
  default int routingTableSize() {
    return stats().routingTableSize();
  }

  @Override
  void close();

  /** The peers with an open connection; none on a backend without a network. */
  default List<ConnectedPeer> peers() {
    return List.of();
  }

  /** The routing table's non-empty buckets; an empty table on a backend without a network. */
  default RoutingTableView routingTable() {
    return new RoutingTableView(0, List.of());
  }

  /**
   * A connected peer, for {@code GET /api/v1/dht/peers}.
   *
   * @param addresses known addresses of the peer (connection addresses first)
   * @param direction {@code inbound}, {@code outbound} or, with several connections, both joined by
   *     {@code ,}
   * @param protocols protocols it announced through identify; empty until identified
   * @param agentVersion its identify agent version; empty until identified
   * @param inRoutingTable whether it is in our kad routing table
   */
  record ConnectedPeer(
      String peerId,
      List<String> addresses,
      String direction,
      List<String> protocols,
      String agentVersion,
      boolean inRoutingTable) {
    public ConnectedPeer {
      addresses = List.copyOf(addresses);
      protocols = List.copyOf(protocols);
    }
  }

  /** The routing table: peers in it, and its non-empty buckets by increasing CPL. */
  record RoutingTableView(int size, List<RoutingBucket> buckets) {
    public RoutingTableView {
      buckets = List.copyOf(buckets);
    }
  }

  /**
   * One k-bucket: peers sharing {@code cpl} leading key bits with us, least recently seen first.
   */
  record RoutingBucket(int cpl, List<RoutingPeer> peers) {
    public RoutingBucket {
      peers = List.copyOf(peers);
    }
  }

  /** A routing-table peer and the milliseconds since its last successful exchange with us. */
  record RoutingPeer(String peerId, long lastSeenMillisAgo) {}

  /**
   * The outcome of a put: how many copies were stored, this node's included, and what is held
   * instead where the value was refused.
   *
   * @param replicas copies known stored (this node's included); never more than were confirmed
   * @param targetReplicas the replication factor
   * @param requiredReplicas what the write needed to be complete: {@code min(targetReplicas,
   *     reachable nodes)}, this node counted as reachable
   * @param conflicting the values held instead by the nodes (this one included) that refused this
   *     one because they hold a newer value or another value of the same version; one entry per
   *     holder. Empty on a backend without a network.
   */
  record PutResult(
      int replicas, int targetReplicas, int requiredReplicas, List<byte[]> conflicting) {

    public PutResult {
      conflicting = List.copyOf(conflicting);
    }

    /** A put no node refused. */
    public PutResult(int replicas, int targetReplicas, int requiredReplicas) {
      this(replicas, targetReplicas, requiredReplicas, List.of());
    }

    /**
     * A put on a backend that cannot tell how many nodes were reachable (the embedded one, or a
     * hybrid one writing locally while the network is down): the reachable nodes are taken to be
     * those that took a copy, so {@code requiredReplicas = min(targetReplicas, max(1, replicas))}.
     */
    public PutResult(int replicas, int targetReplicas) {
      this(replicas, targetReplicas, Math.min(targetReplicas, Math.max(1, replicas)));
    }

    /** Whether at least {@link #requiredReplicas()} copies were stored. */
    public boolean complete() {
      return replicas >= requiredReplicas;
    }
  }

  /** A peer that provides a key. */
  record Provider(String peerId, List<String> addresses, long addedAtMillis) {
    public Provider {
      addresses = List.copyOf(addresses);
    }
  }

  /** Node state exposed by {@code GET /api/v1/dht/stats}. */
  record BackendStats(
      String backend,
      String peerId,
      List<String> listenAddrs,
      String mode,
      boolean bootstrapped,
      int totalPeers,
      long totalKeys,
      int routingTableSize,
      long uptimeSeconds) {
    public BackendStats {
      listenAddrs = List.copyOf(listenAddrs);
    }
  }
}
