package org.chorus.dht.backend;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.DhtStats;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.PeerStore;

/**
 * The Kademlia-backed backend: a {@link Dht} on a libp2p {@link Host}, with the persistent record
 * and provider stores of the data directory.
 *
 * <p>A put is validated and stored durably in the local record store first (the {@link Dht} does
 * that before it replicates), then sent to the k closest peers; the result counts the peers that
 * accepted plus this node. A get answers from the local store when it can, else runs a lookup with
 * quorum 1. A delete removes the local copy only. The backend owns the host, the Dht and the
 * stores: {@link #close()} closes them in that order (Dht, host, stores).
 *
 * <p>Thread-safe (every part is). Blocking calls wait at most {@code operationTimeout}.
 */
public final class NetworkDht implements DhtBackend {

  /** {@link #name()} and {@link BackendStats#backend()}. */
  public static final String NAME = "network";

  private final Host host;
  private final Dht dht;
  private final MvRecordStore records;
  private final MvProviderStore providers;
  private final KadConfig.Mode mode;
  private final int targetReplicas;
  private final Duration operationTimeout;
  private final Clock clock;
  private volatile boolean closed;

  /**
   * @param host the started host (listening); closed by {@link #close()}
   * @param dht the Dht over {@code host}, {@code records} and {@code providers}; started by the
   *     caller, closed by {@link #close()}
   * @param targetReplicas wanted copies of a value, this node's included
   * @param operationTimeout longest wait of one blocking call
   */
  public NetworkDht(
      Host host,
      Dht dht,
      MvRecordStore records,
      MvProviderStore providers,
      KadConfig.Mode mode,
      int targetReplicas,
      Duration operationTimeout,
      Clock clock) {
    this.host = Objects.requireNonNull(host, "host");
    this.dht = Objects.requireNonNull(dht, "dht");
    this.records = Objects.requireNonNull(records, "records");
    this.providers = Objects.requireNonNull(providers, "providers");
    this.mode = Objects.requireNonNull(mode, "mode");
    if (targetReplicas < 1) {
      throw new IllegalArgumentException("targetReplicas must be at least 1");
    }
    this.targetReplicas = targetReplicas;
    this.operationTimeout = Objects.requireNonNull(operationTimeout, "operationTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Wanted copies of a value, this node's included. */
  public int targetReplicas() {
    return targetReplicas;
  }

  /** The persistent record store of this node (for replication state and status). */
  public MvRecordStore records() {
    return records;
  }

  public Dht dht() {
    return dht;
  }

  public Host host() {
    return host;
  }

  /** Joins the network through {@code peers}; completes with the routing table size. */
  public CompletableFuture<Integer> bootstrap(List<Multiaddr> peers) {
    return dht.bootstrap(peers);
  }

  /** Refreshes the routing table (for a scheduler). */
  public CompletableFuture<Void> refresh() {
    return dht.refresh();
  }

  /** Removes expired values and provider records from the local stores. */
  public void expireNow() {
    if (closed) {
      return;
    }
    records.expire();
    providers.expire();
  }

  /**
   * Stores locally (through the record gate) and sends to the k closest peers. A copy counts only
   * where it was stored: a peer whose answer echoed it, this node if its gate took it. Values held
   * instead (newer, or another value of the same version) come back in {@link
   * PutResult#conflicting()}. A full local store is refused as {@link
   * RecordRejectedException.Reason#STORE_FULL}.
   */
  @Override
  public PutResult putValue(String key, byte[] value) {
    ensureOpen();
    byte[] k = bytes(key);
    Dht.PutResult result;
    try {
      result = await(dht.putValue(k, value), "put " + key);
    } catch (DhtBackendException e) {
      if (e.getCause() instanceof org.chorus.dht.kad.records.InvalidRecordException invalid
          && invalid.reason()
              == org.chorus.dht.kad.records.InvalidRecordException.Reason.STORE_FULL) {
        throw new RecordRejectedException(
            RecordRejectedException.Reason.STORE_FULL, "failed to store " + key + ": store full");
      }
      throw e;
    }
    if (!result.valid()) {
      throw new RecordRejectedException(
          RecordRejectedException.Reason.INVALID_KEY, "record refused for " + key);
    }
    // tried = the closest peers that answered the lookup, i.e. the reachable ones; the write is
    // complete when min(factor, reachable + this node) copies exist.
    int replicas = result.accepted() + (result.localStored() ? 1 : 0);
    return new PutResult(
        replicas,
        targetReplicas,
        Math.min(targetReplicas, result.tried() + 1),
        result.conflicting());
  }

  /** Makes a valid value this node's record (served to peers; not sent to them). */
  @Override
  public boolean storeOnThisNode(String key, byte[] value) {
    ensureOpen();
    return dht.replaceLocal(bytes(key), value);
  }

  @Override
  public Optional<byte[]> getValue(String key) {
    ensureOpen();
    byte[] k = bytes(key);
    var local = records.get(k);
    if (local.isPresent()) {
      return Optional.of(local.get().value());
    }
    GetResult result = await(dht.getValue(k, 1), "get " + key);
    if (result instanceof GetResult.Found found) {
      return Optional.of(found.value());
    }
    return Optional.empty();
  }

  @Override
  public boolean deleteValue(String key) {
    ensureOpen();
    return records.remove(bytes(key));
  }

  @Override
  public void provide(String key) {
    ensureOpen();
    await(dht.provide(bytes(key)), "provide " + key);
  }

  @Override
  public List<Provider> findProviders(String key, int count) {
    ensureOpen();
    List<KadPeer> found = await(dht.findProviders(bytes(key), count), "find providers " + key);
    long now = clock.millis();
    List<Provider> out = new ArrayList<>();
    for (KadPeer p : found) {
      if (out.size() >= count) {
        break;
      }
      out.add(
          new Provider(
              p.id().toString(), p.addrs().stream().map(Multiaddr::toString).toList(), now));
    }
    return out;
  }

  /** The routing table's size, read directly. */
  @Override
  public int routingTableSize() {
    return dht.routingTable().size();
  }

  @Override
  public BackendStats stats() {
    DhtStats s = dht.stats();
    // the addresses peers can dial (a wildcard bind replaced by this machine's interface
    // addresses), each with /p2p: what a second node puts in its bootstrap peers
    List<String> listen =
        host.advertisedAddrs().stream().map(a -> a.withPeerId(host.peerId()).toString()).toList();
    return new BackendStats(
        NAME,
        host.peerId().toString(),
        listen,
        s.mode(),
        s.bootstrapped(),
        s.connectedPeers(),
        s.records(),
        s.routingTableSize(),
        s.uptime().toSeconds());
  }

  /** Connected peers, one entry per peer, sorted by peer id. */
  @Override
  public List<ConnectedPeer> peers() {
    Map<PeerId, List<Connection>> byPeer = new TreeMap<>(Comparator.comparing(PeerId::toString));
    for (Connection c : host.connections()) {
      byPeer.computeIfAbsent(c.remotePeer(), p -> new ArrayList<>()).add(c);
    }
    List<ConnectedPeer> out = new ArrayList<>(byPeer.size());
    byPeer.forEach((peer, conns) -> out.add(connectedPeer(peer, conns)));
    return out;
  }

  private ConnectedPeer connectedPeer(PeerId peer, List<Connection> conns) {
    LinkedHashSet<String> addrs = new LinkedHashSet<>();
    TreeSet<String> directions = new TreeSet<>();
    for (Connection c : conns) {
      addrs.add(c.remoteAddress().toString());
      directions.add(c.direction().name().toLowerCase(Locale.ROOT));
    }
    Optional<PeerStore.PeerInfo> info = host.peerStore().get(peer);
    info.ifPresent(i -> i.addrs().forEach(a -> addrs.add(a.toString())));
    return new ConnectedPeer(
        peer.toString(),
        List.copyOf(addrs),
        String.join(",", directions),
        info.map(PeerStore.PeerInfo::protocols).orElse(List.of()),
        info.map(PeerStore.PeerInfo::agentVersion).orElse(""),
        dht.routingTable().contains(peer));
  }

  @Override
  public RoutingTableView routingTable() {
    List<RoutingBucket> buckets = new ArrayList<>();
    int size = 0;
    for (Dht.RoutingBucket b : dht.routingBuckets()) {
      List<RoutingPeer> peers =
          b.peers().stream()
              .map(p -> new RoutingPeer(p.peer().toString(), p.sinceSeen().toMillis()))
              .toList();
      size += peers.size();
      buckets.add(new RoutingBucket(b.cpl(), peers));
    }
    return new RoutingTableView(size, buckets);
  }

  public boolean isOpen() {
    return !closed;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      dht.close();
    } finally {
      try {
        host.close();
      } finally {
        try {
          records.close();
        } finally {
          providers.close();
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new DhtBackendException("network backend is closed");
    }
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new DhtBackendException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new DhtBackendException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      future.cancel(false); // stops the lookup underneath (Dht propagates the cancel)
      throw new DhtBackendException(what + ": timed out after " + operationTimeout, e);
    }
  }
}
