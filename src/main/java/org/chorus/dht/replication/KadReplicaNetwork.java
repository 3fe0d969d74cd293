package org.chorus.dht.replication;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The Kademlia {@link ReplicaNetwork} over a {@link NetworkDht}: a scan is {@link Dht#holders} (a
 * full lookup asking every contacted peer for the record, correcting nothing), the best value is
 * chosen by the namespace validator (among every valid value the lookup saw), and a holder is one
 * of the k closest peers that returned exactly that value. Thread-safe (the Dht is).
 */
public final class KadReplicaNetwork implements ReplicaNetwork {

  private final NetworkDht backend;
  private final Dht dht;
  private final String self;

  public KadReplicaNetwork(NetworkDht backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.dht = backend.dht();
    this.self = dht.localPeerId().toString();
  }

  @Override
  public String backend() {
    return backend.name();
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public CompletableFuture<Scan> scan(String key) {
    return dht.holders(bytes(key)).thenApply(h -> toScan(bytes(key), h));
  }

  private Scan toScan(byte[] key, Dht.Holders h) {
    List<byte[]> all = new ArrayList<>(h.remote().values());
    h.local().ifPresent(all::add);
    int best = dht.selectValue(key, all);
    List<String> closest = h.closest().stream().map(PeerId::toString).toList();
    if (best < 0) {
      return new Scan(Optional.empty(), Set.of(), closest);
    }
    byte[] value = all.get(best);
    Set<String> holders = new HashSet<>();
    for (PeerId peer : h.closest()) {
      byte[] v = h.remote().get(peer);
      if (v != null && Arrays.equals(v, value)) {
        holders.add(peer.toString());
      }
    }
    if (h.local().isPresent() && Arrays.equals(h.local().get(), value)) {
      holders.add(self);
    }
    return new Scan(Optional.of(value), holders, closest);
  }

  @Override
  public CompletableFuture<Integer> putTo(String key, byte[] value, List<String> peers) {
    if (peers.isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    List<PeerId> ids = peers.stream().map(PeerId::parse).toList();
    return dht.putValueTo(bytes(key), value, ids).thenApply(Dht.PutResult::accepted);
  }

  @Override
  public boolean storeLocal(String key, byte[] value) {
    return dht.storeLocal(bytes(key), value);
  }

  @Override
  public CompletableFuture<Integer> provide(String key) {
    return dht.provide(bytes(key));
  }

  @Override
  public CompletableFuture<List<ProviderRecord>> providers(String key, int max) {
    byte[] k = bytes(key);
    Map<PeerId, Instant> added = new HashMap<>();
    for (ProviderStore.Provider p : dht.localProviders(k)) {
      added.put(p.id(), p.addedAt());
    }
    KadKey target = KadKey.ofRecordKey(Dht.providerKey(k));
    return dht.findProviders(k, max)
        .thenApply(
            found ->
                found.stream()
                    .limit(max)
                    .map(p -> record(p, target, Optional.ofNullable(added.get(p.id()))))
                    .toList());
  }

  private static ProviderRecord record(KadPeer p, KadKey target, Optional<Instant> addedAt) {
    KadKey peerKey = KadKey.of(p.id());
    return new ProviderRecord(
        p.id().toString(),
        p.addrs().stream().map(Multiaddr::toString).toList(),
        addedAt,
        peerKey.distance(target).toString(),
        peerKey.commonPrefixLength(target));
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
