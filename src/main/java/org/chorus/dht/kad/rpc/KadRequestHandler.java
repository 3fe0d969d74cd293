package org.chorus.dht.kad.rpc;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.records.RecordGate;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.kad.records.RecordStore;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.kad.wire.RecordTime;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.host.Host;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code {prefix}/kad/1.0.0} (server mode), answering like go-libp2p-kad-dht {@code
 * handlers.go} and js kad-dht: requests are read in a loop until the peer closes, each within
 * {@link KadRpc#DEFAULT_TIMEOUT}; PUT_VALUE and PING are echoed, GET_VALUE / GET_PROVIDERS /
 * FIND_NODE carry closer peers (never ourselves or the requester), ADD_PROVIDER gets no answer. Any
 * error (garbage, unknown namespace, bad provider key, store full) resets the stream without an
 * error message and counts as a {@linkplain #rejected() rejection}.
 *
 * <p>Limits (ARCHITECTURE.md "Kad limits"): every request first takes a token of its peer's bucket
 * in the {@link PeerRateLimiter} (none left: the stream is reset, counted in {@link #throttled()});
 * then it is worked on the {@link KadWorkPool} (decode, validation, store writes with their fsync,
 * store reads), not on the event loop, which only frames and dispatches; a full pool queue resets
 * the stream too (counted by the pool). A stream carries requests one after another: while one is
 * worked, at most {@value #MAX_PIPELINED} more that the peer sent without waiting are held in order
 * (one more resets the stream), and the answer of each is written before the next is worked. A PUT
 * of a key not held here is charged to the peer's record quota ({@link RecordGate#offerFrom}).
 *
 * <p>Thread-safe.
 */
public final class KadRequestHandler implements StreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(KadRequestHandler.class);

  /** go-libp2p-kad-dht rejects provider keys longer than this. */
  public static final int MAX_PROVIDER_KEY = 80;

  /**
   * Named cap: requests a stream may have waiting behind the one being worked (go and js clients
   * wait for each answer, so they never have any).
   */
  public static final int MAX_PIPELINED = 4;

  private final PeerId self;
  private final Supplier<List<Multiaddr>> selfAddrs;
  private final Function<PeerId, List<Multiaddr>> addressBook;
  private final RecordStore records;
  private final RecordValidator validator;
  private final RecordGate gate;
  private final ProviderStore providers;
  private final ClosestPeers closestPeers;
  private final Clock clock;
  private final Duration messageTimeout;
  private final RpcTimer timer;
  private final int closerPeers;
  private final KadWorkPool pool;
  private final PeerRateLimiter limiter;
  private final LongAdder served = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private volatile RecordListener recordListener = new RecordListener() {};

  /**
   * @param self our peer id and {@code selfAddrs} our advertised addresses (FIND_NODE of our id)
   * @param addressBook addresses known for a peer (fills closer peers the routing table gave
   *     without addresses; peers with none are left out)
   */
  public KadRequestHandler(
      PeerId self,
      Supplier<List<Multiaddr>> selfAddrs,
      Function<PeerId, List<Multiaddr>> addressBook,
      RecordStore records,
      RecordValidator validator,
      ProviderStore providers,
      ClosestPeers closestPeers,
      Clock clock,
      Duration messageTimeout,
      RpcTimer timer,
      int closerPeers) {
    this(
        self,
        selfAddrs,
        addressBook,
        new RecordGate(records, validator),
        providers,
        closestPeers,
        clock,
        messageTimeout,
        timer,
        closerPeers);
  }

  /**
   * As the other constructor, storing through {@code gate} (shared with the node's own writes, so a
   * peer's PUT and a local write of one key are ordered); requests are worked on the calling I/O
   * thread without a rate limit (tests and tools).
   */
  public KadRequestHandler(
      PeerId self,
      Supplier<List<Multiaddr>> selfAddrs,
      Function<PeerId, List<Multiaddr>> addressBook,
      RecordGate gate,
      ProviderStore providers,
      ClosestPeers closestPeers,
      Clock clock,
      Duration messageTimeout,
      RpcTimer timer,
      int closerPeers) {
    this(
        self,
        selfAddrs,
        addressBook,
        gate,
        providers,
        closestPeers,
        clock,
        messageTimeout,
        timer,
        closerPeers,
        KadWorkPool.inline(),
        PeerRateLimiter.unlimited());
  }

  /**
   * As the other constructors, working requests on {@code pool} after taking a token from {@code
   * limiter} (what a node runs).
   */
  public KadRequestHandler(
      PeerId self,
      Supplier<List<Multiaddr>> selfAddrs,
      Function<PeerId, List<Multiaddr>> addressBook,
      RecordGate gate,
      ProviderStore providers,
      ClosestPeers closestPeers,
      Clock clock,
      Duration messageTimeout,
      RpcTimer timer,
      int closerPeers,
      KadWorkPool pool,
      PeerRateLimiter limiter) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.self = Objects.requireNonNull(self);
    this.selfAddrs = Objects.requireNonNull(selfAddrs);
    this.addressBook = Objects.requireNonNull(addressBook);
    this.gate = Objects.requireNonNull(gate);
    this.records = gate.records();
    this.validator = gate.validator();
    this.providers = Objects.requireNonNull(providers);
    this.closestPeers = Objects.requireNonNull(closestPeers);
    this.clock = Objects.requireNonNull(clock);
    this.messageTimeout = Objects.requireNonNull(messageTimeout);
    this.timer = Objects.requireNonNull(timer);
    if (closerPeers <= 0) {
      throw new IllegalArgumentException("closerPeers must be positive");
    }
    this.closerPeers = closerPeers;
  }

  /** A handler for {@code host} (its id, advertised addresses and peer store), default knobs. */
  public static KadRequestHandler forHost(
      Host host,
      RecordStore records,
      RecordValidator validator,
      ProviderStore providers,
      ClosestPeers closestPeers,
      Clock clock) {
    return new KadRequestHandler(
        host.peerId(),
        host::advertisedAddrs,
        id -> host.peerStore().get(id).map(p -> p.addrs()).orElse(List.of()),
        records,
        validator,
        providers,
        closestPeers,
        clock,
        KadRpc.DEFAULT_TIMEOUT,
        RpcTimer.SYSTEM,
        KadRpc.DEFAULT_CLOSER_PEERS);
  }

  /** Told about every PUT_VALUE stored or refused (metrics, audit). Replaces the previous one. */
  public void setRecordListener(RecordListener listener) {
    this.recordListener = Objects.requireNonNull(listener, "listener");
  }

  /** Requests answered. */
  public long served() {
    return served.sum();
  }

  /**
   * Requests refused by resetting the stream (bad message, invalid record, a cap, timeout, a full
   * work queue), throttled ones not included.
   */
  public long rejected() {
    return rejected.sum();
  }

  /** Requests refused for want of a rate-limit token ({@link PeerRateLimiter#throttled()}). */
  public long throttled() {
    return limiter.throttled();
  }

  @Override
  public void handle(Stream stream) {
    Session s = new Session(stream);
    stream.setListener(LengthPrefixed.listener(KadCodec.MAX_MESSAGE, s));
    s.armTimer();
  }

  /**
   * One inbound stream: a request at a time, each within the message timeout. Framing and the
   * rate-limit check happen on the stream's I/O thread; each request is worked on the pool and the
   * next one is dispatched when its answer has been written.
   */
  private final class Session implements LengthPrefixed.Handler {
    private final Stream stream;
    private final AtomicInteger generation = new AtomicInteger();
    // guarded by this
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private boolean busy; // a request is on the pool or being worked
    private boolean ended; // the peer closed its side
    private boolean dead; // reset

    Session(Stream stream) {
      this.stream = stream;
    }

    void armTimer() {
      schedule(generation.incrementAndGet());
    }

    /** Resets the stream {@code messageTimeout} from now unless the generation moved on. */
    private void schedule(int g) {
      timer.schedule(
          messageTimeout,
          () -> {
            if (generation.get() == g) {
              rejected.increment();
              LOG.debug(
                  "kad stream from {}: no request in {}", stream.remotePeer(), messageTimeout);
              kill();
            }
          });
    }

    @Override
    public void onMessage(Stream st, byte[] message) {
      if (!limiter.tryAcquire(st.remotePeer())) {
        LOG.debug("kad request from {} throttled", st.remotePeer());
        kill();
        return;
      }
      boolean overflow = false;
      synchronized (this) {
        generation.incrementAndGet(); // disarm while handling
        if (dead) {
          return;
        }
        if (!busy) {
          busy = true;
        } else if (waiting.size() < MAX_PIPELINED) {
          waiting.add(message); // worked when the ones before it are answered
          return;
        } else {
          overflow = true;
        }
      }
      if (overflow) {
        refuse("more than " + MAX_PIPELINED + " requests waiting on one stream");
        return;
      }
      dispatch(message);
    }

    private void dispatch(byte[] message) {
      if (!pool.tryExecute(message.length, () -> work(message))) {
        refuse("the kad work queue is full");
      }
    }

    /** On a worker: answers one request, then dispatches the next one or finishes. */
    private void work(byte[] message) {
      synchronized (this) {
        if (dead) {
          return;
        }
      }
      Optional<byte[]> response;
      try {
        response = answer(stream.remotePeer(), message);
      } catch (RuntimeException e) {
        refuse(e.getMessage());
        return;
      }
      served.increment();
      response.ifPresent(r -> LengthPrefixed.write(stream, r));
      byte[] next;
      boolean close;
      int g = 0;
      synchronized (this) {
        if (dead) {
          return;
        }
        next = waiting.poll();
        busy = next != null;
        close = next == null && ended;
        if (next == null && !close) {
          g = generation.incrementAndGet(); // a request arriving after this disarms it
        }
      }
      if (next != null) {
        dispatch(next);
      } else if (close) {
        stream.closeWrite();
      } else {
        schedule(g); // the next request's time starts now
      }
    }

    private void refuse(String why) {
      rejected.increment();
      LOG.debug("kad request from {} refused: {}", stream.remotePeer(), why);
      kill();
    }

    private void kill() {
      generation.incrementAndGet();
      synchronized (this) {
        dead = true;
        waiting.clear();
      }
      stream.reset();
    }

    @Override
    public void onEnd(Stream st, boolean clean) {
      generation.incrementAndGet();
      boolean close;
      synchronized (this) {
        ended = true;
        close = !busy && !dead;
      }
      if (close) {
        st.closeWrite(); // else after the last answer
      }
    }

    @Override
    public void onError(Stream st, Throwable cause) {
      generation.incrementAndGet();
      synchronized (this) {
        dead = true;
        waiting.clear();
      }
      if (cause instanceof org.chorus.dht.p2p.core.ProtocolException) {
        rejected.increment(); // over the cap
      }
    }
  }

  /**
   * The encoded answer to {@code raw} from {@code from}, or none (ADD_PROVIDER). Throws to reset.
   */
  Optional<byte[]> answer(PeerId from, byte[] raw) {
    KadMessage req = KadCodec.decode(raw);
    return switch (req.type()) {
      case PUT_VALUE -> putValue(from, req, raw);
      case PING -> Optional.of(raw);
      case GET_VALUE -> Optional.of(KadCodec.encode(getValue(from, req)));
      case ADD_PROVIDER -> {
        addProvider(from, req);
        yield Optional.empty();
      }
      case GET_PROVIDERS -> Optional.of(KadCodec.encode(getProviders(from, req)));
      case FIND_NODE -> Optional.of(KadCodec.encode(findNode(from, req)));
    };
  }

  /**
   * Stores a peer's record through the gate. Stored: the request is echoed (the kad spec's
   * acknowledgement). Refused because what is held is newer or holds that version already: the
   * answer carries the held record instead, so the writer learns it was not stored and what is (a
   * go or js client sees an echo that does not match: not stored). Any other refusal resets the
   * stream.
   */
  private Optional<byte[]> putValue(PeerId from, KadMessage req, byte[] raw) {
    KadRecord rec =
        req.record().orElseThrow(() -> new InvalidRecordException("PUT_VALUE without a record"));
    byte[] key = rec.key();
    if (!Arrays.equals(key, req.key())) {
      InvalidRecordException e =
          new InvalidRecordException("PUT_VALUE record key differs from the message key");
      recordListener.refused(
          from, req.key(), RecordListener.Source.PUT, e.reason(), e.getMessage());
      throw e;
    }
    KadRecord stamped = rec.withTimeReceived(RecordTime.format(clock.instant()));
    RecordGate.Outcome outcome = gate.offerFrom(from, stamped);
    if (outcome instanceof RecordGate.Refused refused) {
      InvalidRecordException e = refused.error();
      recordListener.refused(from, key, RecordListener.Source.PUT, e.reason(), e.getMessage());
      if (refused.held().isPresent()) {
        return Optional.of(KadCodec.encode(KadMessage.putValue(refused.held().get())));
      }
      throw e;
    }
    recordListener.accepted(from, key);
    return Optional.of(raw); // echo the request unchanged
  }

  private KadMessage getValue(PeerId from, KadMessage req) {
    byte[] key = requireKey(req);
    KadMessage resp = KadMessage.request(KadMessage.Type.GET_VALUE, key);
    Optional<KadRecord> rec = records.get(key);
    if (rec.isPresent()) {
      resp = resp.withRecord(rec.get());
    }
    return resp.withCloserPeers(closer(key, from));
  }

  private void addProvider(PeerId from, KadMessage req) {
    byte[] key = requireProviderKey(req);
    int added = 0;
    for (KadPeer p : req.providerPeers()) {
      if (!p.id().equals(from) || p.addrs().isEmpty()) {
        continue; // only the sender may announce itself, and only with somewhere to reach it
      }
      List<Multiaddr> addrs = p.addrs().stream().map(Multiaddr::withoutPeerId).toList();
      ProviderStore.AddOutcome outcome = providers.add(key, new KadPeer(from, addrs));
      if (outcome == ProviderStore.AddOutcome.ADDED
          || outcome == ProviderStore.AddOutcome.REFRESHED) {
        added++;
      }
    }
    LOG.debug("ADD_PROVIDER from {}: {} entries kept", from, added);
  }

  private KadMessage getProviders(PeerId from, KadMessage req) {
    byte[] key = requireProviderKey(req);
    return KadMessage.request(KadMessage.Type.GET_PROVIDERS, key)
        .withProviderPeers(providers.get(key))
        .withCloserPeers(closer(key, from));
  }

  private KadMessage findNode(PeerId from, KadMessage req) {
    byte[] key = requireKey(req);
    KadMessage resp = KadMessage.request(KadMessage.Type.FIND_NODE, key);
    Optional<PeerId> target = peerIdOf(key);
    if (target.isPresent() && target.get().equals(self)) {
      return resp.withCloserPeers(List.of(new KadPeer(self, selfAddrs.get())));
    }
    List<KadPeer> closer = new ArrayList<>(closer(key, from));
    if (target.isPresent()
        && !target.get().equals(from)
        && closer.stream().noneMatch(p -> p.id().equals(target.get()))) {
      // go: the target itself, if we know where it is
      List<Multiaddr> addrs = addressBook.apply(target.get());
      if (!addrs.isEmpty()) {
        closer.add(new KadPeer(target.get(), addrs));
      }
    }
    return resp.withCloserPeers(closer);
  }

  /** The closest known peers to {@code key}, without us and the requester, each with addresses. */
  private List<KadPeer> closer(byte[] key, PeerId from) {
    Map<PeerId, KadPeer> out = new LinkedHashMap<>();
    for (KadPeer p : closestPeers.closest(key, closerPeers + 2)) {
      if (p.id().equals(self) || p.id().equals(from) || out.containsKey(p.id())) {
        continue;
      }
      List<Multiaddr> addrs = p.addrs().isEmpty() ? addressBook.apply(p.id()) : p.addrs();
      if (!addrs.isEmpty()) {
        out.put(p.id(), new KadPeer(p.id(), addrs.stream().map(Multiaddr::withoutPeerId).toList()));
      }
      if (out.size() == closerPeers) {
        break;
      }
    }
    return List.copyOf(out.values());
  }

  private static byte[] requireKey(KadMessage req) {
    byte[] key = req.key();
    if (key.length == 0) {
      throw new IllegalArgumentException(req.type() + " without a key");
    }
    return key;
  }

  /** Provider keys are multihashes (go: non-empty, at most 80 bytes). */
  private static byte[] requireProviderKey(KadMessage req) {
    byte[] key = requireKey(req);
    if (key.length > MAX_PROVIDER_KEY || !isMultihash(key)) {
      throw new IllegalArgumentException(req.type() + ": key is not a multihash");
    }
    return key;
  }

  static boolean isMultihash(byte[] b) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
    try {
      org.chorus.dht.p2p.core.Varint.readComplete(buf);
      long len = org.chorus.dht.p2p.core.Varint.readComplete(buf);
      return len == buf.remaining();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Optional<PeerId> peerIdOf(byte[] key) {
    try {
      return Optional.of(PeerId.fromBytes(key));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
