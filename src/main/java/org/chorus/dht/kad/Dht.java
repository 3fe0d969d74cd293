package org.chorus.dht.kad;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.AsyncQueryRunner;
import org.chorus.dht.kad.query.ClosestPeersIter;
import org.chorus.dht.kad.query.ClosestPeersIter.Termination;
import org.chorus.dht.kad.query.PeerRequester;
import org.chorus.dht.kad.query.PeerResponse;
import org.chorus.dht.kad.query.QueryResult;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.records.RecordGate;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.kad.records.RecordStore;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.kad.routing.AddResult;
import org.chorus.dht.kad.routing.RoutingTable;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadRequestHandler;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.kad.rpc.KadWorkPool;
import org.chorus.dht.kad.rpc.PeerRateLimiter;
import org.chorus.dht.kad.rpc.RpcTimer;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.kad.wire.RecordTime;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.PeerStore;

/**
 * The Kademlia DHT on a libp2p {@link Host}: routing table upkeep, iterative lookups through an
 * {@link AsyncQueryRunner}, and the value, provider and peer operations of libp2p specs {@code
 * kad-dht}. Every operation returns a stage completing with a value (never failing for expected
 * outcomes such as a missing record or an unreachable peer); a stage fails only with {@link
 * java.util.concurrent.RejectedExecutionException} when {@link
 * org.chorus.dht.kad.query.QueryRunner#MAX_CONCURRENT_QUERIES} lookups already run (a local
 * overload).
 *
 * <p>Thread-safe. I/O runs on the host's event loops, timeouts on the injected {@link QueryTimer};
 * {@link #refresh()} is for a scheduler to call every {@link KadConfig#refreshInterval()}. What may
 * block or burn CPU runs on the Dht's {@link KadWorkPool} ({@link KadConfig.Limits}, closed with
 * the Dht), never on an event loop: the request handler's work, validating the values and held
 * records peers return, choosing a lookup's best value and storing its correction. Handling a
 * peer's answer otherwise (routing table, peer store: in memory) stays on the event loop. The local
 * store of {@link #putValue}, {@link #storeLocal}, {@link #replaceLocal} and {@link #provide} runs
 * on the caller's thread: the storage and replication layers' own threads, never an event loop (do
 * not call them from a stage of this class without an executor).
 */
public final class Dht implements AutoCloseable {

  private final Host host;
  private final KadConfig config;
  private final RecordStore records;
  private final ProviderStore providers;
  private final RecordValidator validator;
  private final RecordGate gate;
  private final Clock clock;
  private final QueryTimer timer;
  private final ProtocolId protocol;
  private final RoutingTable table;
  private final KadMessenger messenger;
  private final AsyncQueryRunner runner;
  private final KadWorkPool pool;
  private final PeerRateLimiter limiter;
  private final Map<PeerId, KadKey> keys = new ConcurrentHashMap<>();
  private final Function<PeerId, KadKey> keyOf = p -> keys.computeIfAbsent(p, KadKey::of);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean bootstrapped = new AtomicBoolean();
  private final AtomicReference<Instant> startedAt = new AtomicReference<>();
  private final List<Consumer<PeerId>> peerListeners = new CopyOnWriteArrayList<>();
  private final List<RecordListener> recordListeners = new CopyOnWriteArrayList<>();
  private final RecordListener recordEvents =
      new RecordListener() {
        @Override
        public void accepted(PeerId from, byte[] key) {
          for (RecordListener l : recordListeners) {
            l.accepted(from, key);
          }
        }

        @Override
        public void refused(
            PeerId from,
            byte[] key,
            Source source,
            InvalidRecordException.Reason reason,
            String detail) {
          for (RecordListener l : recordListeners) {
            l.refused(from, key, source, reason, detail);
          }
        }
      };

  public Dht(
      Host host,
      KadConfig config,
      RecordStore records,
      ProviderStore providers,
      RecordValidator validator,
      Clock clock,
      QueryTimer timer) {
    this.host = Objects.requireNonNull(host, "host");
    this.config = config.validate();
    this.records = Objects.requireNonNull(records, "records");
    this.providers = Objects.requireNonNull(providers, "providers");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.gate = new RecordGate(records, validator, this.config.limits().quota());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.protocol = ProtocolId.of(config.protocolId());
    this.table = new RoutingTable(KadKey.of(host.peerId()), config, keyOf);
    RpcTimer rpcTimer = (delay, task) -> timer.schedule(delay.toMillis(), task);
    this.messenger = new KadMessenger(host, protocol, config.rpcTimeout(), rpcTimer);
    this.runner = new AsyncQueryRunner(timer, config.k());
    // on the injected timer, so tests can stop time (the buckets refill with it)
    this.limiter = PeerRateLimiter.of(config.limits(), () -> timer.nowMillis() * 1_000_000L);
    this.pool = KadWorkPool.start(config.limits());
  }

  /**
   * Whether this node answers kad requests and advertises the protocol now: server mode, or auto
   * mode while AutoNAT has not found us unreachable (see {@link #setMode}).
   */
  public boolean isServer() {
    return started.get() ? serving : mode() != KadConfig.Mode.CLIENT;
  }

  public RoutingTable routingTable() {
    return table;
  }

  public ProtocolId protocol() {
    return protocol;
  }

  /**
   * Registers the request handler (server mode only) and starts adding kad-speaking peers that
   * connect, once identify has shown their protocols and a kad PING has answered.
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    startedAt.set(clock.instant());
    host.addConnectionListener(this::onConnection);
    startModes();
  }

  /** Stops serving, then the work pool (waiting for the work it admitted). */
  @Override
  public void close() {
    if (started.get()) {
      stopModes();
    }
    pool.close();
  }

  /** Peers' kad requests refused by the per-peer rate limit. */
  public long requestsThrottled() {
    return limiter.throttled();
  }

  /** Work waiting for a thread of the kad work pool (the queue depth). */
  public int workQueued() {
    return pool.queued();
  }

  /** Work the pool refused because its queue was full. */
  public long workRefused() {
    return pool.refused();
  }

  /** Provider records refused by a cap of the provider store. */
  public long providersRefused() {
    return providers.refused();
  }

  /** Unverified providers evicted from a full key of the provider store. */
  public long providersEvicted() {
    return providers.evicted();
  }

  private void onConnection(Connection conn) {
    host.identified(conn)
        .thenAccept(
            info -> {
              if (info.protocols().contains(protocol.value())) {
                admit(conn.remotePeer(), info.listenAddrs());
              }
            });
  }

  /** Probes {@code peer} with a kad PING and, if it answers, offers it to the routing table. */
  private CompletableFuture<Void> admit(PeerId peer, List<Multiaddr> addrs) {
    if (peer.equals(host.peerId())) {
      return CompletableFuture.completedFuture(null);
    }
    if (!addrs.isEmpty()) {
      host.peerStore().addAddrs(peer, addrs);
    }
    return messenger
        .ping(peer)
        .thenAccept(
            r -> {
              if (r.isOk()) {
                offer(peer, addrsOf(peer));
              }
            });
  }

  /** Adds a live peer to the table, probing the bucket's least-recently-seen entry if asked. */
  private void offer(PeerId peer, List<Multiaddr> addrs) {
    AddResult added = table.add(peer, addrs, timer.nowMillis());
    if (added.inTable()) {
      bootstrapped.set(true);
    }
    if (added.outcome() == AddResult.Outcome.ADDED) {
      peerAdded(peer);
    }
    added
        .probeTarget()
        .ifPresent(
            old ->
                messenger
                    .ping(old)
                    .thenAccept(
                        r ->
                            table
                                .onProbeResult(old, r.isOk(), timer.nowMillis())
                                .ifPresent(this::peerAdded)));
  }

  /**
   * Calls {@code listener} with every peer that enters the routing table (a new entry or a promoted
   * replacement), from the thread that added it (often an event loop): it must not block. The
   * hybrid backend and the replication manager use it to use the network the moment it exists.
   */
  /**
   * Tells {@code listener} about records from peers: PUT_VALUE requests stored or refused, values a
   * lookup received and refused (metrics, audit). Must not block.
   */
  public void addRecordListener(RecordListener listener) {
    recordListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} with the key of every record whose value changed in this node's record
   * store (a peer's PUT, a lookup's correction, this node's own write), from the storing thread: it
   * must not block.
   */
  public void addRecordChangeListener(Consumer<byte[]> listener) {
    gate.addChangeListener(listener);
  }

  public void addPeerListener(Consumer<PeerId> listener) {
    peerListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void peerAdded(PeerId peer) {
    for (Consumer<PeerId> l : peerListeners) {
      try {
        l.accept(peer);
      } catch (RuntimeException e) {
        MODE_LOG.warn("routing table listener failed: {}", e.toString());
      }
    }
  }

  /**
   * Dials each address (with or without {@code /p2p}), adds the kad peers among them, then looks up
   * our own id. Completes with the routing table size.
   */
  public CompletableFuture<Integer> bootstrap(List<Multiaddr> peers) {
    List<CompletableFuture<Void>> dials = new ArrayList<>();
    for (Multiaddr addr : peers) {
      dials.add(
          host.dial(addr)
              .thenCompose(
                  conn ->
                      host.identified(conn)
                          .thenCompose(
                              info ->
                                  info.protocols().contains(protocol.value())
                                      ? admit(conn.remotePeer(), withAddr(info.listenAddrs(), addr))
                                      : CompletableFuture.<Void>completedFuture(null)))
              .exceptionally(e -> null));
    }
    return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
        .thenCompose(v -> selfLookup())
        .thenApply(
            v -> {
              if (table.size() > 0) {
                bootstrapped.set(true);
              }
              return table.size();
            });
  }

  private static List<Multiaddr> withAddr(List<Multiaddr> listen, Multiaddr dialled) {
    List<Multiaddr> out = new ArrayList<>(listen);
    Multiaddr bare = dialled.withoutPeerId();
    if (!out.contains(bare)) {
      out.add(bare);
    }
    return out;
  }

  private CompletableFuture<Void> selfLookup() {
    return getClosestPeers(host.peerId().toBytes()).thenAccept(p -> {});
  }

  /**
   * Self-lookup, then a lookup of a random key in every bucket due for refresh (not refreshed
   * within {@link KadConfig#refreshInterval()}). For a scheduler to call.
   */
  public CompletableFuture<Void> refresh() {
    long now = timer.nowMillis();
    List<Integer> due = table.bucketsDueForRefresh(now, config.refreshInterval().toMillis());
    List<CompletableFuture<?>> lookups = new ArrayList<>();
    lookups.add(selfLookup());
    for (int cpl : due) {
      PeerId random = randomPeerWithCpl(cpl);
      lookups.add(
          getClosestPeers(random.toBytes())
              .thenRun(() -> table.markRefreshed(cpl, timer.nowMillis())));
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new));
  }

  /** Named cap: tries to find a random peer id in a bucket (expected 2^(cpl+1) for cpl <= 15). */
  static final int MAX_REFRESH_KEY_TRIES = 1 << 18;

  private PeerId randomPeerWithCpl(int cpl) {
    Random rnd = ThreadLocalRandom.current();
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 0x20;
    PeerId best = null;
    for (int i = 0; i < MAX_REFRESH_KEY_TRIES; i++) {
      byte[] digest = new byte[32];
      rnd.nextBytes(digest);
      System.arraycopy(digest, 0, mh, 2, 32);
      PeerId p = PeerId.fromBytes(mh.clone());
      best = p;
      if (table.localKey().commonPrefixLength(KadKey.of(p)) == cpl) {
        return p;
      }
    }
    return best;
  }

  /**
   * The k closest live peers to {@code key} (a record key or a peer id multihash), closest first.
   */
  public CompletableFuture<List<PeerId>> getClosestPeers(byte[] key) {
    byte[] k = key.clone();
    CompletableFuture<QueryResult> query =
        lookup(
            KadKey.ofRecordKey(k),
            Termination.K_CLOSEST,
            peer ->
                messenger
                    .findNode(peer, k)
                    .thenApply(r -> PeerResponse.closer(answered(peer, r.map(p -> p)))));
    return cancelsWith(query, query.thenApply(QueryResult::closest));
  }

  /**
   * The outcome of a put.
   *
   * @param accepted peers that stored the record (their answer echoed it)
   * @param tried peers it was sent to (the closest that answered the lookup)
   * @param valid false when the validator refused the record: nothing was stored or sent
   * @param localStored whether this node's own store took it (false: it holds a newer record, or
   *     another one of the same version, which is then in {@code conflicting})
   * @param conflicting the records held instead by this node and by peers that refused it for
   *     holding a newer one or another one of the same version (one entry per holder)
   */
  public record PutResult(
      int accepted, int tried, boolean valid, boolean localStored, List<byte[]> conflicting) {

    public PutResult {
      conflicting = List.copyOf(conflicting);
    }

    /** A put of a valid value that this node stored and no one refused. */
    public PutResult(int accepted, int tried) {
      this(accepted, tried, true, true, List.of());
    }

    /** The result for a value the validator refused. */
    public static PutResult refused() {
      return new PutResult(0, 0, false, false, List.of());
    }
  }

  /**
   * Validates the value and stores it locally through the record gate (refused there when this node
   * holds a newer record or another one of the same version; a full store fails the put with {@link
   * InvalidRecordException}), then PUT_VALUE to the k closest peers; completes with how many stored
   * it and what the others hold instead. An invalid value is refused before anything is stored or
   * sent ({@link PutResult#refused()}).
   */
  public CompletableFuture<PutResult> putValue(byte[] key, byte[] value) {
    KadRecord record = new KadRecord(key, value, RecordTime.format(clock.instant()));
    RecordGate.Outcome local = gate.offer(record);
    List<byte[]> conflicting = new ArrayList<>();
    if (local instanceof RecordGate.Refused refused) {
      switch (refused.error().reason()) {
        case ROLLBACK, CONFLICT -> conflicting.add(refused.held().orElseThrow().value());
        case STORE_FULL -> {
          return CompletableFuture.failedFuture(refused.error());
        }
        default -> {
          return CompletableFuture.completedFuture(PutResult.refused());
        }
      }
    }
    boolean localStored = local.stored();
    CompletableFuture<List<PeerId>> closest = getClosestPeers(key);
    return cancelsWith(
        closest,
        closest.thenCompose(
            peers ->
                putTo(peers, record)
                    .thenApply(
                        r -> {
                          List<byte[]> all = new ArrayList<>(conflicting);
                          all.addAll(r.conflicting());
                          return new PutResult(r.accepted(), r.tried(), true, localStored, all);
                        })));
  }

  private CompletableFuture<PutResult> putTo(List<PeerId> peers, KadRecord record) {
    AtomicInteger accepted = new AtomicInteger();
    List<byte[]> conflicting = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<?>[] puts =
        peers.stream()
            .map(
                p ->
                    messenger
                        .put(p, record)
                        .thenCompose(
                            r -> {
                              Optional<KadMessenger.PutReply> reply = r.answer();
                              if (reply.isEmpty()) {
                                return CompletableFuture.completedFuture(null);
                              }
                              if (reply.get().stored()) {
                                accepted.incrementAndGet();
                                return CompletableFuture.completedFuture(null);
                              }
                              Optional<KadRecord> held = reply.get().held();
                              if (held.isEmpty()) {
                                return CompletableFuture.completedFuture(null);
                              }
                              // the held record a peer names is validated off the event loop
                              return pool.supply(
                                      () -> {
                                        if (valid(record.key(), held.get().value())) {
                                          conflicting.add(held.get().value());
                                        }
                                        return null;
                                      })
                                  .exceptionally(e -> null);
                            }))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(puts)
        .thenApply(
            v -> {
              synchronized (conflicting) {
                return new PutResult(accepted.get(), peers.size(), true, true, conflicting);
              }
            });
  }

  /**
   * The local record plus GET_VALUE over a lookup, stopping once {@code quorum} holders answered;
   * selects the best value with the validator and sends it (PUT_VALUE) to the closest answering
   * peers that returned an outdated value or none (entry correction).
   */
  public CompletableFuture<GetResult> getValue(byte[] key, int quorum) {
    byte[] k = key.clone();
    Map<PeerId, byte[]> values = new ConcurrentHashMap<>();
    Optional<byte[]> local = records.get(k).map(KadRecord::value);
    AtomicInteger holders = new AtomicInteger(local.isPresent() ? 1 : 0);
    int need = Math.max(1, quorum);
    if (holders.get() >= need) {
      return CompletableFuture.completedFuture(new GetResult.Found(local.get(), 1));
    }
    PeerRequester requester = valueRequester(k, values, () -> holders.incrementAndGet() >= need);
    CompletableFuture<QueryResult> query =
        lookup(KadKey.ofRecordKey(k), Termination.K_CLOSEST, requester);
    // select validates every value and may store a correction: on the pool
    return cancelsWith(
        query, query.thenCompose(result -> pool.supply(() -> select(k, local, values, result))));
  }

  /**
   * GET_VALUE to each peer of a lookup for {@code k}: its closer peers feed the lookup, a valid
   * record goes into {@code values} (by peer), and after each such record {@code goalAfterValue}
   * says whether the lookup may stop. The closer peers are handled where the answer arrives (in
   * memory); a record is validated on the pool (a full pool fails this peer's answer).
   */
  private PeerRequester valueRequester(
      byte[] k, Map<PeerId, byte[]> values, BooleanSupplier goalAfterValue) {
    return peer ->
        messenger
            .getValue(peer, k)
            .thenCompose(
                r -> {
                  List<PeerId> closer = answered(peer, r.map(KadMessenger.ValueReply::closerPeers));
                  Optional<KadRecord> rec = r.answer().flatMap(KadMessenger.ValueReply::record);
                  if (rec.isEmpty()) {
                    return CompletableFuture.completedFuture(new PeerResponse(closer, false));
                  }
                  return pool.supply(
                      () -> {
                        boolean goal = false;
                        if (validFrom(peer, k, rec.get().value())) {
                          values.put(peer, rec.get().value());
                          goal = goalAfterValue.getAsBoolean();
                        }
                        return new PeerResponse(closer, goal);
                      });
                });
  }

  /** {@link #valid} for a value {@code peer} returned; a refusal goes to the record listeners. */
  private boolean validFrom(PeerId peer, byte[] key, byte[] value) {
    try {
      validator.validate(key, value);
      return true;
    } catch (InvalidRecordException e) {
      recordEvents.refused(peer, key, RecordListener.Source.GET, e.reason(), e.getMessage());
      return false;
    }
  }

  private boolean valid(byte[] key, byte[] value) {
    try {
      validator.validate(key, value);
      return true;
    } catch (InvalidRecordException e) {
      return false;
    }
  }

  private GetResult select(
      byte[] key, Optional<byte[]> local, Map<PeerId, byte[]> values, QueryResult result) {
    List<byte[]> all = new ArrayList<>(values.values());
    local.ifPresent(all::add);
    if (all.isEmpty()) {
      return result.state() == ClosestPeersIter.State.TIMED_OUT
          ? new GetResult.Timeout()
          : new GetResult.NotFound(result.closest().size());
    }
    byte[] best;
    try {
      best = all.get(validator.select(key, all));
    } catch (InvalidRecordException e) {
      return new GetResult.NotFound(result.closest().size());
    }
    int responders = 0;
    for (byte[] v : all) {
      if (Arrays.equals(v, best)) {
        responders++;
      }
    }
    KadRecord record = new KadRecord(key, best, RecordTime.format(clock.instant()));
    for (PeerId p : result.closest()) {
      byte[] had = values.get(p);
      if (had == null || !Arrays.equals(had, best)) {
        messenger.putValue(p, record);
      }
    }
    if (local.isPresent() && !Arrays.equals(local.get(), best)) {
      gate.offer(record); // a newer record replaces ours; another one of our version does not
    }
    return new GetResult.Found(best, responders);
  }

  /** The provider key of a DHT key: the sha2-256 multihash {@code 0x12 0x20 || sha256(key)}. */
  public static byte[] providerKey(byte[] key) {
    return ByteBuffer.allocate(34).put((byte) 0x12).put((byte) 0x20).put(sha256(key)).array();
  }

  /**
   * Records us as a provider of {@code key} locally and sends ADD_PROVIDER (with our advertised
   * addresses) to the k closest peers of the provider key; completes with how many were sent.
   */
  public CompletableFuture<Integer> provide(byte[] key) {
    byte[] mh = providerKey(key);
    KadPeer self = new KadPeer(host.peerId(), host.advertisedAddrs());
    providers.add(mh, self);
    CompletableFuture<List<PeerId>> closest = getClosestPeers(mh);
    return cancelsWith(
        closest,
        closest.thenCompose(
            peers -> {
              AtomicInteger sent = new AtomicInteger();
              CompletableFuture<?>[] adds =
                  peers.stream()
                      .map(
                          p ->
                              messenger
                                  .addProvider(p, mh, self)
                                  .thenAccept(
                                      r -> {
                                        if (r.isOk()) {
                                          sent.incrementAndGet();
                                        }
                                      }))
                      .toArray(CompletableFuture[]::new);
              return CompletableFuture.allOf(adds).thenApply(v -> sent.get());
            }));
  }

  /**
   * Providers of {@code key} (local store first, then GET_PROVIDERS over a lookup), stopping once
   * {@code count} are known; their addresses go to the peer store.
   */
  public CompletableFuture<List<KadPeer>> findProviders(byte[] key, int count) {
    byte[] mh = providerKey(key);
    Map<PeerId, KadPeer> found = new LinkedHashMap<>();
    for (KadPeer p : providers.get(mh)) {
      found.put(p.id(), p);
    }
    int need = Math.max(1, count);
    if (found.size() >= need) {
      return CompletableFuture.completedFuture(List.copyOf(found.values()).subList(0, need));
    }
    PeerRequester requester =
        peer ->
            messenger
                .getProviders(peer, mh)
                .thenApply(
                    r -> {
                      List<PeerId> closer =
                          answered(peer, r.map(KadMessenger.ProvidersReply::closerPeers));
                      boolean goal;
                      synchronized (found) {
                        for (KadPeer p : r.answer().map(a -> a.providers()).orElse(List.of())) {
                          if (!p.addrs().isEmpty() && !p.id().equals(host.peerId())) {
                            host.peerStore().addAddrs(p.id(), p.addrs());
                          }
                          found.putIfAbsent(p.id(), p);
                        }
                        goal = found.size() >= need;
                      }
                      return new PeerResponse(closer, goal);
                    });
    CompletableFuture<QueryResult> query =
        lookup(KadKey.ofRecordKey(mh), Termination.K_CLOSEST, requester);
    return cancelsWith(
        query,
        query.thenApply(
            r -> {
              synchronized (found) {
                List<KadPeer> all = List.copyOf(found.values());
                return all.subList(0, Math.min(need, all.size()));
              }
            }));
  }

  /** The addresses of {@code peer}: known ones if it is connected, else a FIND_NODE lookup. */
  public CompletableFuture<Optional<KadPeer>> findPeer(PeerId peer) {
    if (peer.equals(host.peerId())) {
      return CompletableFuture.completedFuture(
          Optional.of(new KadPeer(peer, host.advertisedAddrs())));
    }
    if (!host.connections(peer).isEmpty() && !addrsOf(peer).isEmpty()) {
      return CompletableFuture.completedFuture(Optional.of(new KadPeer(peer, addrsOf(peer))));
    }
    byte[] key = peer.toBytes();
    AtomicReference<KadPeer> hit = new AtomicReference<>();
    PeerRequester requester =
        asked ->
            messenger
                .findNode(asked, key)
                .thenApply(
                    r -> {
                      for (KadPeer p : r.answer().orElse(List.of())) {
                        if (p.id().equals(peer) && !p.addrs().isEmpty()) {
                          hit.compareAndSet(null, p);
                        }
                      }
                      return new PeerResponse(
                          answered(asked, r.map(p -> p)), hit.get() != null || asked.equals(peer));
                    });
    CompletableFuture<QueryResult> query =
        lookup(KadKey.of(peer), Termination.K_CLOSEST, requester);
    return cancelsWith(
        query,
        query.thenApply(
            r -> {
              if (hit.get() != null) {
                return Optional.of(hit.get());
              }
              List<Multiaddr> known = addrsOf(peer);
              return r.closest().contains(peer) && !known.isEmpty()
                  ? Optional.of(new KadPeer(peer, known))
                  : Optional.empty();
            }));
  }

  /** Lookups running now (each holds one of the node's query slots). */
  public int runningQueries() {
    return runner.running();
  }

  public DhtStats stats() {
    Instant since = startedAt.get();
    int connected =
        (int) host.connections().stream().map(Connection::remotePeer).distinct().count();
    return new DhtStats(
        connected,
        table.size(),
        records.size(),
        providers.size(),
        since == null ? Duration.ZERO : Duration.between(since, clock.instant()),
        bootstrapped.get(),
        modeDescription());
  }

  /**
   * Handles a peer's answer during a lookup: a success marks it seen in the routing table and hands
   * back its closer peers (their addresses go to the peer store); a failure throws so the runner
   * counts it, and a peer that could not be reached or broke the protocol (not merely slow) leaves
   * the routing table, as in go-libp2p-kad-dht.
   */
  private List<PeerId> answered(PeerId peer, KadResult<List<KadPeer>> result) {
    if (result instanceof KadResult.Failed<List<KadPeer>>) {
      table.remove(peer);
    }
    if (!(result instanceof KadResult.Ok<List<KadPeer>> ok)) {
      throw new IllegalStateException("failed to query " + peer + ": " + result);
    }
    if (!table.markSeen(peer, timer.nowMillis())) {
      offer(peer, addrsOf(peer));
    }
    List<PeerId> closer = new ArrayList<>();
    for (KadPeer p : ok.value()) {
      if (p.id().equals(host.peerId())) {
        continue;
      }
      if (!p.addrs().isEmpty()) {
        host.peerStore().addAddrs(p.id(), p.addrs());
      }
      closer.add(p.id());
    }
    return closer;
  }

  private CompletableFuture<QueryResult> lookup(
      KadKey target, Termination termination, PeerRequester requester) {
    List<PeerId> seeds = table.closest(target, config.k());
    ClosestPeersIter iter =
        ClosestPeersIter.start(target, seeds, config, termination, timer.nowMillis(), keyOf);
    CompletableFuture<QueryResult> query = runner.run(iter, requester).toCompletableFuture();
    if (seeds.isEmpty()) {
      // no peer to ask: the empty table is graded on its own, not as an unanswered lookup
      return query;
    }
    return cancelsWith(query, query.whenComplete(this::recordQuery));
  }

  /**
   * {@code dependent}, which also cancels {@code upstream} when it is cancelled itself: a caller
   * that gives up on an operation (its timeout) stops the lookup under it, which then releases its
   * slot at once instead of running on to its own deadline.
   */
  private static <T> CompletableFuture<T> cancelsWith(
      CompletableFuture<?> upstream, CompletableFuture<T> dependent) {
    dependent.whenComplete(
        (r, e) -> {
          if (dependent.isCancelled()) {
            upstream.cancel(false);
          }
        });
    return dependent;
  }

  private List<Multiaddr> addrsOf(PeerId peer) {
    return host.peerStore().get(peer).map(PeerStore.PeerInfo::addrs).orElse(List.of());
  }

  private List<KadPeer> withAddrs(List<PeerId> peers) {
    List<KadPeer> out = new ArrayList<>(peers.size());
    for (PeerId p : peers) {
      out.add(new KadPeer(p, addrsOf(p)));
    }
    return out;
  }

  // ---- server / client / auto mode (issue 5) ----------------------------------------------------
  // The kad handler is registered only while serving; the host pushes identify when it comes or
  // goes, so peers add us to (or drop us from) their tables. Auto follows the host's AutoNAT
  // reachability: server while unknown or public, client once private (as go-libp2p-kad-dht's
  // ModeAutoServer).

  private static final org.slf4j.Logger MODE_LOG = org.slf4j.LoggerFactory.getLogger(Dht.class);
  private final Object modeLock = new Object();
  private volatile KadConfig.Mode requestedMode; // null: config.mode()
  private volatile boolean serving; // guarded by modeLock for writes
  private volatile boolean stopped;
  private volatile KadRequestHandler requestHandler;
  private final java.util.function.Consumer<org.chorus.dht.p2p.protocol.autonat.Reachability>
      onReachability = r -> applyMode();
  private final java.util.function.BiConsumer<
          PeerId, org.chorus.dht.p2p.protocol.identify.IdentifyInfo>
      onPush = this::onPeerPushed;

  /** The mode asked for: {@link KadConfig#mode()} until {@link #setMode} changes it. */
  public KadConfig.Mode mode() {
    KadConfig.Mode m = requestedMode;
    return m == null ? config.mode() : m;
  }

  /**
   * Switches the mode at run time. {@code SERVER} and {@code CLIENT} are applied at once and never
   * change by themselves; {@code AUTO} starts the host's AutoNAT probing and follows its verdict.
   * Entering client mode removes the kad handler (peers learn it by identify push and drop us from
   * their tables; our own lookups go on through them); entering server mode registers it again.
   */
  public void setMode(KadConfig.Mode mode) {
    requestedMode = Objects.requireNonNull(mode, "mode");
    if (mode == KadConfig.Mode.AUTO && started.get()) {
      host.startAutoNat();
    }
    applyMode();
  }

  /** The effective mode for stats: {@code server}, {@code client}, {@code auto (server)}, ... */
  public String modeDescription() {
    String effective = isServer() ? "server" : "client";
    return mode() == KadConfig.Mode.AUTO ? "auto (" + effective + ")" : effective;
  }

  private boolean wantServer() {
    return switch (mode()) {
      case SERVER -> true;
      case CLIENT -> false;
      case AUTO -> host.reachability() != org.chorus.dht.p2p.protocol.autonat.Reachability.PRIVATE;
    };
  }

  private void startModes() {
    host.addPushListener(onPush);
    host.addReachabilityListener(onReachability);
    if (mode() == KadConfig.Mode.AUTO) {
      host.startAutoNat();
    }
    applyMode();
  }

  private void stopModes() {
    host.removePushListener(onPush);
    host.removeReachabilityListener(onReachability);
    synchronized (modeLock) {
      stopped = true;
      if (serving) {
        serving = false;
        host.removeHandler(protocol);
      }
    }
  }

  private void applyMode() {
    synchronized (modeLock) {
      if (!started.get() || stopped) {
        return;
      }
      boolean want = wantServer();
      if (want == serving) {
        return;
      }
      serving = want;
      if (want) {
        host.setHandler(protocol, requestHandler());
      } else {
        host.removeHandler(protocol);
      }
      MODE_LOG.info("kad now in {} mode", modeDescription());
    }
  }

  private KadRequestHandler requestHandler() {
    if (requestHandler == null) {
      requestHandler =
          new KadRequestHandler(
              host.peerId(),
              host::advertisedAddrs,
              this::addrsOf,
              gate,
              providers,
              (key, n) -> withAddrs(table.closest(KadKey.ofRecordKey(key), n)),
              clock,
              config.rpcTimeout(),
              (delay, task) -> timer.schedule(delay.toMillis(), task),
              config.k(),
              pool,
              limiter);
      requestHandler.setRecordListener(recordEvents);
    }
    return requestHandler;
  }

  /**
   * A peer pushed identify: one that dropped kad leaves the table, one that gained it is probed.
   */
  private void onPeerPushed(PeerId peer, org.chorus.dht.p2p.protocol.identify.IdentifyInfo info) {
    if (info.protocols().isEmpty() || stopped) {
      return; // a push without a protocol list changes nothing
    }
    if (!info.protocols().contains(protocol.value())) {
      if (table.remove(peer)) {
        MODE_LOG.debug("{} stopped serving kad: removed from the routing table", peer);
      }
    } else if (!table.contains(peer)) {
      admit(peer, info.listenAddrs());
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("failed to hash: SHA-256 missing", e);
    }
  }

  // ---- node life cycle (kad.jobs): liveness, eviction and routing-table views ----

  /**
   * Whether the routing table has held a peer at least once, whether through {@link #bootstrap} or
   * a peer that connected to us.
   */
  public boolean isBootstrapped() {
    return bootstrapped.get();
  }

  /**
   * Sends a kad PING to {@code peer} (dialling its known addresses if not connected); completes
   * with whether it answered within {@link KadConfig#rpcTimeout()}. An answer marks the peer seen
   * in the routing table. Never fails.
   */
  public CompletableFuture<Boolean> ping(PeerId peer) {
    return messenger
        .ping(peer)
        .handle(
            (r, e) -> {
              boolean ok = e == null && r.isOk();
              if (ok) {
                table.markSeen(peer, timer.nowMillis());
              }
              return ok;
            });
  }

  /**
   * Removes {@code peer} from the routing table (a replacement takes its slot) and, unless it is
   * still connected, its entry from the peer store. True when it was in the table.
   */
  public boolean evict(PeerId peer) {
    boolean removed = table.remove(peer);
    if (host.connections(peer).isEmpty()) {
      host.peerStore().remove(peer);
    }
    return removed;
  }

  /** Routing-table peers without a successful exchange within {@code age}, longest silent first. */
  public List<PeerId> peersNotSeenWithin(Duration age) {
    long cutoff = timer.nowMillis() - age.toMillis();
    List<RoutingTable.Seen> old = new ArrayList<>();
    for (RoutingTable.Seen s : table.entries()) {
      if (s.lastSeenMillis() < cutoff) {
        old.add(s);
      }
    }
    old.sort(java.util.Comparator.comparingLong(RoutingTable.Seen::lastSeenMillis));
    return old.stream().map(RoutingTable.Seen::peer).toList();
  }

  /** One routing-table peer and the time since its last successful exchange. */
  public record RoutingPeer(PeerId peer, Duration sinceSeen) {}

  /** The non-empty bucket of common prefix length {@code cpl}, least recently seen first. */
  public record RoutingBucket(int cpl, List<RoutingPeer> peers) {
    public RoutingBucket {
      peers = List.copyOf(peers);
    }
  }

  /** A snapshot of the routing table's non-empty buckets, by increasing CPL. */
  public List<RoutingBucket> routingBuckets() {
    long now = timer.nowMillis();
    Map<Integer, List<RoutingPeer>> byCpl = new java.util.TreeMap<>();
    for (RoutingTable.Seen s : table.entries()) {
      byCpl
          .computeIfAbsent(s.cpl(), c -> new ArrayList<>())
          .add(new RoutingPeer(s.peer(), Duration.ofMillis(Math.max(0, now - s.lastSeenMillis()))));
    }
    List<RoutingBucket> out = new ArrayList<>(byCpl.size());
    byCpl.forEach((cpl, peers) -> out.add(new RoutingBucket(cpl, peers)));
    return out;
  }

  // replication support

  /**
   * What {@link #holders} found for a key: the local value (if any), the valid values that peers
   * returned to GET_VALUE, and the closest peers that answered the lookup (closest first, at most
   * k). A peer that answered without a (valid) record is in {@code closest} but not in {@code
   * remote}.
   */
  public record Holders(Optional<byte[]> local, Map<PeerId, byte[]> remote, List<PeerId> closest) {
    public Holders {
      remote = Map.copyOf(remote);
      closest = List.copyOf(closest);
    }
  }

  /**
   * Asks the peers of a full lookup of {@code key} (GET_VALUE to each peer contacted, until the k
   * closest answered) which of them hold a valid record. Unlike {@link #getValue}, it corrects
   * nothing: it only counts, so a replication manager can see real replicas.
   */
  public CompletableFuture<Holders> holders(byte[] key) {
    byte[] k = key.clone();
    Map<PeerId, byte[]> values = new ConcurrentHashMap<>();
    Optional<byte[]> local = records.get(k).map(KadRecord::value);
    PeerRequester requester = valueRequester(k, values, () -> false);
    CompletableFuture<QueryResult> query =
        lookup(KadKey.ofRecordKey(k), Termination.K_CLOSEST, requester);
    // completes on the pool, so a caller's next step (choosing among the values) is not on an
    // event loop either
    return cancelsWith(
        query,
        query.thenCompose(
            result -> pool.supply(() -> new Holders(local, values, result.closest()))));
  }

  /**
   * The index of the best of {@code values} for {@code key} by the namespace's select rule, or -1
   * when none is valid or the list is empty.
   */
  public int selectValue(byte[] key, List<byte[]> values) {
    if (values.isEmpty()) {
      return -1;
    }
    try {
      return validator.select(key, values);
    } catch (InvalidRecordException e) {
      return -1;
    }
  }

  /**
   * Validates {@code value} and sends PUT_VALUE to exactly {@code peers} (nothing to the local
   * store); completes with how many accepted. An invalid value is sent nowhere ({@link
   * PutResult#refused()}).
   */
  public CompletableFuture<PutResult> putValueTo(byte[] key, byte[] value, List<PeerId> peers) {
    if (!valid(key, value)) {
      return CompletableFuture.completedFuture(PutResult.refused());
    }
    // (the peers' refusals say what they hold; this node's own copy is not touched here)
    List<PeerId> targets = peers.stream().filter(p -> !p.equals(host.peerId())).toList();
    return putTo(targets, new KadRecord(key, value, RecordTime.format(clock.instant())));
  }

  /**
   * Stores a valid value in the local record store through the record gate (durable when it
   * returns, for a persistent store); false when invalid, older than or in conflict with the held
   * record, or the store is full.
   */
  public boolean storeLocal(byte[] key, byte[] value) {
    return gate.offer(new KadRecord(key, value, RecordTime.format(clock.instant()))).stored();
  }

  /**
   * Stores a valid value locally whatever this node holds (correcting its own copy to a record
   * known to be the current one); false when invalid or the store is full.
   */
  public boolean replaceLocal(byte[] key, byte[] value) {
    return gate.replace(new KadRecord(key, value, RecordTime.format(clock.instant()))).stored();
  }

  /** The provider records of {@code key} (a DHT key; its provider key is derived) held here. */
  public List<ProviderStore.Provider> localProviders(byte[] key) {
    return providers.providers(providerKey(key));
  }

  /** This node's peer id. */
  public PeerId localPeerId() {
    return host.peerId();
  }

  // health support ------------------------------------------------------------------------------
  // Whether lookups still reach the network: a lookup is answered when at least one peer replied.

  private final java.util.concurrent.atomic.AtomicLong queriesAnswered =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong queriesUnanswered =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Instant lastAnsweredQuery;
  private volatile Instant lastUnansweredQuery;

  /**
   * Lookup outcomes for health checks.
   *
   * @param answered lookups at least one peer answered
   * @param unanswered lookups no peer answered (every peer asked failed); a lookup started with an
   *     empty routing table asks no one and is in neither count
   * @param lastAnswered when a lookup was last answered; null before the first
   * @param lastUnanswered when a lookup last got no answer; null before the first
   */
  public record QueryHealth(
      long answered, long unanswered, Instant lastAnswered, Instant lastUnanswered) {}

  public QueryHealth queryHealth() {
    return new QueryHealth(
        queriesAnswered.get(), queriesUnanswered.get(), lastAnsweredQuery, lastUnansweredQuery);
  }

  private void recordQuery(QueryResult result, Throwable error) {
    if (error == null && !result.closest().isEmpty()) {
      queriesAnswered.incrementAndGet();
      lastAnsweredQuery = clock.instant();
    } else {
      queriesUnanswered.incrementAndGet();
      lastUnansweredQuery = clock.instant();
    }
  }
}
