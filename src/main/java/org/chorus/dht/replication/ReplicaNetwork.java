package org.chorus.dht.replication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the {@link ReplicationManager} needs from a backend: count the real holders of a key, send a
 * value to chosen peers, provide, list providers. Peers are named by their peer id text. {@link
 * KadReplicaNetwork} is the Kademlia one, {@link LocalReplicaNetwork} the single-node one; tests
 * use an in-memory fake. Stages complete with values for expected outcomes (an unreachable peer
 * just does not count); implementations are thread-safe.
 */
public interface ReplicaNetwork {

  /** The backend name, e.g. {@code network} or {@code local}. */
  String backend();

  /** This node's peer id text. */
  String self();

  /**
   * Asks who holds {@code key}: the best valid value found (by the namespace's select rule) and the
   * peers that returned exactly that value ({@link #self()} included when the local copy is it),
   * plus the live closest peers of the key (closest first, without {@link #self()}).
   */
  CompletableFuture<Scan> scan(String key);

  /** Sends {@code value} to {@code peers}; completes with how many accepted it. */
  CompletableFuture<Integer> putTo(String key, byte[] value, List<String> peers);

  /** Stores {@code value} as this node's copy (durably); false if refused. */
  boolean storeLocal(String key, byte[] value);

  /** Announces this node as a provider of {@code key}; completes with how many peers took it. */
  CompletableFuture<Integer> provide(String key);

  /** Up to {@code max} providers of {@code key}. */
  CompletableFuture<List<ProviderRecord>> providers(String key, int max);

  /**
   * Who holds a key.
   *
   * @param value the best value found, empty when nobody (not even this node) has a valid one
   * @param holders the peers among {@code closest} that hold {@code value}, and this node when it
   *     does: the copies a reader's lookup reaches (a copy on a peer outside the k closest is not
   *     counted: lookups stop at the k closest, and nobody republishes it there)
   * @param closest the live closest peers, closest first, this node excluded
   */
  record Scan(Optional<byte[]> value, Set<String> holders, List<String> closest) {
    public Scan {
      holders = Set.copyOf(holders);
      closest = List.copyOf(closest);
    }
  }

  /**
   * A provider of a key.
   *
   * @param addedAt when its provider record was added or last refreshed, if this node knows
   * @param xorDistance hex XOR distance between the peer's and the key's kad keys ({@code ""} when
   *     not meaningful, as on the single-node backend)
   * @param commonPrefixLength leading bits the two kad keys share (higher = closer)
   */
  record ProviderRecord(
      String peerId,
      List<String> addresses,
      Optional<Instant> addedAt,
      String xorDistance,
      int commonPrefixLength) {
    public ProviderRecord {
      addresses = List.copyOf(addresses);
    }
  }
}
