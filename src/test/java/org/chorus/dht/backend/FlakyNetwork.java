package org.chorus.dht.backend;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the network backend: a {@link LocalDht} of its own (the "network's" copies) that
 * fails on demand. {@link #down} makes every operation throw and the routing table empty; {@link
 * #failPuts} keeps the routing table but makes puts reach no peer; keys starting with {@link
 * #REJECTED_PREFIX} are refused as invalid records.
 */
final class FlakyNetwork implements DhtBackend {

  static final String REJECTED_PREFIX = "/CHORUS/bad/";
  static final String PEER_ID = "12D3KooWFlakyNetwork";

  final LocalDht store;
  volatile boolean down;
  volatile boolean failPuts;
  final AtomicInteger puts = new AtomicInteger();

  FlakyNetwork(Path dir, Clock clock) {
    this.store = LocalDht.open(LocalDhtConfig.builder(dir, PEER_ID).build(), clock);
  }

  @Override
  public String name() {
    return NetworkDht.NAME;
  }

  private void check() {
    if (down) {
      throw new DhtBackendException("network unreachable (test double is down)");
    }
  }

  @Override
  public PutResult putValue(String key, byte[] value) {
    check();
    if (key.startsWith(REJECTED_PREFIX)) {
      throw new RecordRejectedException(
          RecordRejectedException.Reason.INVALID_KEY, "record refused for " + key);
    }
    puts.incrementAndGet();
    if (failPuts) {
      return new PutResult(1, 3);
    }
    store.putValue(key, value);
    return new PutResult(2, 3);
  }

  @Override
  public Optional<byte[]> getValue(String key) {
    check();
    return store.getValue(key);
  }

  @Override
  public boolean deleteValue(String key) {
    check();
    return store.deleteValue(key);
  }

  @Override
  public void provide(String key) {
    check();
    store.provide(key);
  }

  @Override
  public List<Provider> findProviders(String key, int count) {
    check();
    return store.findProviders(key, count);
  }

  @Override
  public BackendStats stats() {
    BackendStats s = store.stats();
    int table = down ? 0 : 1;
    return new BackendStats(
        NetworkDht.NAME,
        s.peerId(),
        s.listenAddrs(),
        "server",
        true,
        table,
        s.totalKeys(),
        table,
        s.uptimeSeconds());
  }

  @Override
  public void close() {
    store.close();
  }
}
