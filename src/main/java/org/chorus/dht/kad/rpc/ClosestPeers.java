package org.chorus.dht.kad.rpc;

import java.util.List;
import org.chorus.dht.kad.wire.KadPeer;

/**
 * The peers we know closest to a key, as the routing table answers: the {@code key} is the raw kad
 * key of a message (record key, provider multihash or peer id multihash); the implementation maps
 * it into the keyspace (SHA-256) and returns at most {@code n} peers, closest first. Must be
 * thread-safe and must not block.
 */
@FunctionalInterface
public interface ClosestPeers {
  List<KadPeer> closest(byte[] key, int n);
}
