package org.chorus.dht.replication;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.backend.DhtBackend;

/**
 * The single-node {@link ReplicaNetwork} over any {@link DhtBackend} without peers (the embedded
 * {@code LocalDht}): the only holder is this node, nothing can be sent anywhere, so status comes
 * from the local store alone and the reachable factor is 1. Thread-safe (the backend is).
 */
public final class LocalReplicaNetwork implements ReplicaNetwork {

  private final DhtBackend backend;
  private final String self;

  public LocalReplicaNetwork(DhtBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    String id = backend.stats().peerId();
    this.self = id == null || id.isBlank() ? backend.name() : id;
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
    Optional<byte[]> value = backend.getValue(key);
    return CompletableFuture.completedFuture(
        new Scan(value, value.isPresent() ? Set.of(self) : Set.of(), List.of()));
  }

  @Override
  public CompletableFuture<Integer> putTo(String key, byte[] value, List<String> peers) {
    return CompletableFuture.completedFuture(0);
  }

  @Override
  public boolean storeLocal(String key, byte[] value) {
    return backend.putValue(key, value).replicas() >= 1;
  }

  @Override
  public CompletableFuture<Integer> provide(String key) {
    backend.provide(key);
    return CompletableFuture.completedFuture(0);
  }

  @Override
  public CompletableFuture<List<ProviderRecord>> providers(String key, int max) {
    return CompletableFuture.completedFuture(
        backend.findProviders(key, max).stream()
            .map(
                p ->
                    new ProviderRecord(
                        p.peerId(),
                        p.addresses(),
                        Optional.of(Instant.ofEpochMilli(p.addedAtMillis())),
                        "",
                        0))
            .toList());
  }
}
