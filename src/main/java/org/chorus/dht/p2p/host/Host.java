package org.chorus.dht.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.mux.MuxedSession;
import org.chorus.dht.p2p.mux.MuxedStream;
import org.chorus.dht.p2p.protocol.autonat.AutoNat;
import org.chorus.dht.p2p.protocol.autonat.AutoNatServer;
import org.chorus.dht.p2p.protocol.autonat.Reachability;
import org.chorus.dht.p2p.protocol.identify.Identify;
import org.chorus.dht.p2p.protocol.identify.IdentifyInfo;
import org.chorus.dht.p2p.protocol.ping.Ping;
import org.chorus.dht.p2p.security.noise.NoiseSecurity;
import org.chorus.dht.p2p.transport.MemoryTransport;
import org.chorus.dht.p2p.transport.TcpTransport;
import org.chorus.dht.p2p.transport.Transport;
import org.chorus.dht.p2p.upgrade.MultiplexedConnection;
import org.chorus.dht.p2p.upgrade.RawConnection;
import org.chorus.dht.p2p.upgrade.SecuredConnection;
import org.chorus.dht.p2p.upgrade.Upgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host: listens and dials over TCP, upgrades every connection (multistream-select → {@code
 * /noise} → {@code /yamux/1.0.0}), serves registered protocols (identify and ping are built in),
 * identifies every new peer, and keeps a {@link PeerStore}. It pushes identify ({@code
 * /ipfs/id/push/1.0.0}) to connected peers when its protocols or announced addresses change and
 * takes in their pushes; it serves AutoNAT dial-backs ({@link HostConfig#autonat()}) and, once
 * {@link #startAutoNat()} is called, probes its own {@link #reachability()}. Limits ({@link
 * HostConfig#limits()}, enforced by its {@link ResourceManager}): inbound and outbound connection
 * slots apart, inbound connections per source IP, connections per peer, an inbound handshake
 * deadline, a memory budget per connection and one for all of them; streams per connection ({@code
 * yamux.maxStreams}), an idle timeout per connection and a dial timeout covering connect and
 * upgrade. Every refusal is counted ({@link #refused(Refusal)}). Its {@link PeerAccess} (allow- and
 * deny-list, {@link #denyPeer}) is checked inside the Noise handshake, both directions; a {@link
 * ConnectionGater} ({@link #setConnectionGater}) decides further which connections it makes and
 * keeps. The peer store drops entries not seen for {@link HostConfig#peerTtl()} (connected peers
 * are kept), every {@link HostConfig#peerGcInterval()}. With {@link HostConfig#swarmKey()} the host
 * is in a private network: every connection is protected with the key before anything is
 * negotiated, and peers without it are refused ({@link #privateNetworkRefused()}).
 *
 * <p>Thread-safe. Handlers and listeners are called on Netty event-loop threads and must not block.
 * Upper layers see only {@code p2p.core} types.
 */
public final class Host implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Host.class);

  private final HostConfig config;
  private final IdentityKey identity;
  private final EventLoopGroup group;
  private final EventLoopGroup memoryGroup;
  private final List<Transport> transports;
  private final Upgrader upgrader;
  private final PeerStore peerStore;
  private final Identify identify;
  private final ConcurrentHashMap<ProtocolId, StreamHandler> handlers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PeerId, List<HostConnection>> connections =
      new ConcurrentHashMap<>();
  private final List<Transport.Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Connection>> connectionListeners = new CopyOnWriteArrayList<>();
  private final Set<Multiaddr> observedAddrs = ConcurrentHashMap.newKeySet();
  private final ResourceManager resources;
  private final PeerAccess access;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ConcurrentHashMap<ProtocolId, java.util.concurrent.atomic.LongAdder> served =
      new ConcurrentHashMap<>();
  private final List<java.util.function.BiConsumer<PeerId, IdentifyInfo>> pushListeners =
      new CopyOnWriteArrayList<>();
  private volatile List<Multiaddr> announceAddrs = List.of();
  private final AutoNatServer autoNatServer;
  private final AutoNatProber autoNatProber;
  private final ConnectionGate gate = new ConnectionGate();

  private Host(HostConfig config, IdentityKey identity, java.time.Clock clock) {
    config.validate();
    this.config = config;
    this.identity = identity;
    this.resources = new ResourceManager(config.limits());
    this.access = new PeerAccess(config.allowedPeers(), config.deniedPeers());
    this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
    this.memoryGroup = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    this.transports = List.of(new TcpTransport(group), new MemoryTransport(memoryGroup));
    this.upgrader =
        new Upgrader(
            new NoiseSecurity(identity),
            config.yamux(),
            config.negotiationTimeout(),
            config.swarmKey());
    this.peerStore = new PeerStore(config.maxPeers(), clock);
    peerStore.setRetention(peer -> connections.containsKey(peer));
    this.identify =
        new Identify(
            new Identify.Local(
                identity.publicKeyProtobuf(),
                config.protocolVersion(),
                config.agentVersion(),
                this::advertisedAddrs,
                () -> handlers.keySet().stream().map(ProtocolId::value).sorted().toList()));
    handlers.put(Identify.PROTOCOL, identify.handler());
    handlers.put(Ping.PROTOCOL, Ping.handler());
    handlers.put(
        Identify.PUSH_PROTOCOL, Identify.pushHandler(config.identifyTimeout(), this::onPush));
    this.autoNatServer = new AutoNatServer(config.autonat(), this::dial, System::nanoTime);
    if (config.autonat().serverEnabled()) {
      handlers.put(AutoNat.PROTOCOL, autoNatServer.handler());
    }
    this.autoNatProber = new AutoNatProber(this, config.autonat(), group.next());
    long gc = config.peerGcInterval().toMillis();
    group.next().scheduleAtFixedRate(this::collectPeers, gc, gc, TimeUnit.MILLISECONDS);
  }

  /** A host with its own event loops; {@link #close()} stops them. */
  public static Host create(HostConfig config, IdentityKey identity) {
    return new Host(config, identity, java.time.Clock.systemUTC());
  }

  /**
   * As {@link #create(HostConfig, IdentityKey)}; the peer store's time comes from {@code clock}.
   */
  public static Host create(HostConfig config, IdentityKey identity, java.time.Clock clock) {
    return new Host(config, identity, clock);
  }

  private void collectPeers() {
    try {
      int dropped = peerStore.collect(config.peerTtl());
      if (dropped > 0) {
        LOG.debug("peer store: dropped {} peers not seen for {}", dropped, config.peerTtl());
      }
    } catch (RuntimeException e) {
      LOG.warn("peer store collection failed", e);
    }
  }

  public HostConfig config() {
    return config;
  }

  public PeerId peerId() {
    return identity.peerId();
  }

  public IdentityKey identity() {
    return identity;
  }

  public PeerStore peerStore() {
    return peerStore;
  }

  /**
   * Serves {@code protocol} on inbound streams (replaces an earlier handler). A protocol new to us
   * is pushed to connected peers ({@link #pushIdentify()}).
   */
  public void setHandler(ProtocolId protocol, StreamHandler handler) {
    if (handlers.put(protocol, handler) == null) {
      protocolsChanged();
    }
  }

  /** Stops serving {@code protocol}; connected peers hear of it by an identify push. */
  public void removeHandler(ProtocolId protocol) {
    if (handlers.remove(protocol) != null) {
      protocolsChanged();
    }
  }

  private void protocolsChanged() {
    if (!connections.isEmpty() && !closed.get()) {
      pushIdentify();
    }
  }

  /**
   * Pushes our identify message (protocols, advertised addresses) on one open connection to every
   * connected peer that supports the push protocol. Completes when every push has ended (a failed
   * push is logged, not fatal).
   */
  public CompletableFuture<Void> pushIdentify() {
    List<CompletableFuture<Void>> pushes = new ArrayList<>();
    for (List<HostConnection> list : connections.values()) {
      for (HostConnection c : list) {
        if (!c.isOpen()) {
          continue;
        }
        // after our identify of the peer (it may still be running): only then do we know
        // whether it takes pushes
        pushes.add(
            c.identified()
                .thenCompose(
                    info ->
                        info.protocols().contains(Identify.PUSH_PROTOCOL.value())
                            ? identify.push(c, config.identifyTimeout())
                            : CompletableFuture.<Void>completedFuture(null))
                .exceptionally(
                    e -> {
                      LOG.debug("identify push to {} failed: {}", c.remotePeer(), e.toString());
                      return null;
                    }));
        break;
      }
    }
    return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new));
  }

  /**
   * Called (on an event loop) after a peer pushed identify and the peer store took it in: the
   * peer's id and what it pushed. Listeners must not block.
   */
  public void addPushListener(java.util.function.BiConsumer<PeerId, IdentifyInfo> listener) {
    pushListeners.add(listener);
  }

  public void removePushListener(java.util.function.BiConsumer<PeerId, IdentifyInfo> listener) {
    pushListeners.remove(listener);
  }

  private void onPush(Connection conn, IdentifyInfo info) {
    PeerId peer = conn.remotePeer();
    peerStore.pushed(peer, info.protocols(), info.listenAddrs());
    LOG.debug("identify push from {}: {}", peer, info.protocols());
    autoNatProber.onIdentified(info.protocols());
    for (java.util.function.BiConsumer<PeerId, IdentifyInfo> l : pushListeners) {
      try {
        l.accept(peer, info);
      } catch (RuntimeException e) {
        LOG.warn("identify push listener failed", e);
      }
    }
  }

  /**
   * Announces {@code addrs} in identify (and AutoNAT probes) instead of the listen addresses; an
   * empty list goes back to the listen addresses. Connected peers hear of the change by a push. For
   * a node behind a port mapping, or (in tests) one claiming an address it does not serve.
   */
  public void setAnnounceAddrs(List<Multiaddr> addrs) {
    announceAddrs = addrs.stream().map(Multiaddr::withoutPeerId).toList();
    if (!connections.isEmpty() && !closed.get()) {
      pushIdentify();
    }
  }

  /** What AutoNAT found out about us so far ({@link Reachability#UNKNOWN} until it decides). */
  public Reachability reachability() {
    return autoNatProber.status();
  }

  /** Starts probing our reachability with connected AutoNAT peers (idempotent). */
  public void startAutoNat() {
    autoNatProber.start();
  }

  /** Probes once now (or joins a running probe); completes with the reachability after it. */
  public CompletableFuture<Reachability> probeReachability() {
    return autoNatProber.probeNow();
  }

  /** Called (on an event loop) whenever {@link #reachability()} changes. Must not block. */
  public void addReachabilityListener(Consumer<Reachability> listener) {
    autoNatProber.addListener(listener);
  }

  public void removeReachabilityListener(Consumer<Reachability> listener) {
    autoNatProber.removeListener(listener);
  }

  /**
   * Our AutoNAT responder (its counters; it serves only if {@link HostConfig#autonat()} says so).
   */
  public AutoNatServer autoNatServer() {
    return autoNatServer;
  }

  public Set<ProtocolId> protocols() {
    return Set.copyOf(handlers.keySet());
  }

  /** Called (on an event loop) for every new connection once it is multiplexed. */
  public void addConnectionListener(Consumer<Connection> listener) {
    connectionListeners.add(listener);
  }

  /** Addresses peers reported seeing us at (identify's observedAddr). */
  public Set<Multiaddr> observedAddrs() {
    return Set.copyOf(observedAddrs);
  }

  /** Inbound streams negotiated for {@code protocol} so far (for metrics and tests). */
  public long inboundStreams(ProtocolId protocol) {
    java.util.concurrent.atomic.LongAdder n = served.get(protocol);
    return n == null ? 0 : n.sum();
  }

  // ---- resource limits ---------------------------------------------------------------------

  /** Connections (or dials, streams) refused or closed for {@code reason} so far. */
  public long refused(Refusal reason) {
    return resources.refused(reason);
  }

  /** Connection slots in use in {@code direction} (open connections and those being upgraded). */
  public int connectionCount(Connection.Direction direction) {
    return resources.connections(direction);
  }

  /** Inbound connections per source address now (IPv6: per /64 prefix). */
  public java.util.Map<java.net.InetAddress, Integer> inboundByAddress() {
    return resources.inboundByAddress();
  }

  /** Bytes buffered for all connections now, against {@link ConnectionLimits#maxMemory()}. */
  public long memoryUsed() {
    return resources.memoryUsed();
  }

  /**
   * Peers the peer store keeps besides the connected ones (neither evicted for room nor dropped as
   * unseen), e.g. the routing table's. Must be fast and must not call the peer store.
   */
  public void retainPeers(java.util.function.Predicate<PeerId> also) {
    peerStore.setRetention(peer -> connections.containsKey(peer) || also.test(peer));
  }

  // ---- allow- and deny-list ----------------------------------------------------------------

  /** The allow- and deny-list checked in every handshake. */
  public PeerAccess peerAccess() {
    return access;
  }

  /**
   * Denies {@code peer} from now on and closes the open connections to it (each counted {@link
   * Refusal#DENIED}); completes with how many were closed, once they are.
   *
   * @throws IllegalStateException when the deny-list is full ({@link PeerAccess#MAX_DENIED})
   */
  public CompletableFuture<Integer> denyPeer(PeerId peer) {
    access.deny(peer);
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Connection c : connections(peer)) {
      if (c.isOpen()) {
        resources.count(Refusal.DENIED);
        LOG.info("closing connection to {}: peer denied", peer);
        closing.add(c.close().exceptionally(e -> null));
      }
    }
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
        .thenApply(v -> closing.size());
  }

  /** Lifts the denial of {@code peer} (it may connect again); true when it was denied. */
  public boolean liftDenial(PeerId peer) {
    return access.lift(peer);
  }

  /**
   * Connections refused by the private network protector ({@link HostConfig#swarmKey()}): peers
   * with another swarm key or none, in either direction.
   */
  public long privateNetworkRefused() {
    return upgrader.privateNetworkRefused();
  }

  /** Binds {@code addr} (port 0 picks one); completes with the bound address. */
  public CompletableFuture<Multiaddr> listen(Multiaddr addr) {
    Transport t = transportFor(addr);
    if (t == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("failed to listen on " + addr + ": no transport for it"));
    }
    return t.listen(addr, this::acceptInbound)
        .thenApply(
            l -> {
              listeners.add(l);
              LOG.info("listening on {}/p2p/{}", l.address(), peerId());
              return l.address();
            });
  }

  /** Bound listen addresses (without {@code /p2p}). */
  public List<Multiaddr> listenAddrs() {
    return listeners.stream().map(Transport.Listener::address).toList();
  }

  /**
   * What identify tells peers: the addresses set with {@link #setAnnounceAddrs} if any, else the
   * listen addresses, with a wildcard bind (0.0.0.0 or ::) replaced by this machine's interface
   * addresses of that family (link-local ones left out).
   */
  public List<Multiaddr> advertisedAddrs() {
    List<Multiaddr> announced = announceAddrs;
    if (!announced.isEmpty()) {
      return announced;
    }
    java.util.LinkedHashSet<Multiaddr> out = new java.util.LinkedHashSet<>();
    for (Multiaddr a : listenAddrs()) {
      InetSocketAddress sa = a.toTcpSocketAddress().orElse(null);
      if (sa == null || sa.getAddress() == null || !sa.getAddress().isAnyLocalAddress()) {
        out.add(a);
        continue;
      }
      boolean v4 = sa.getAddress() instanceof java.net.Inet4Address;
      try {
        for (java.net.NetworkInterface ni :
            java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
          if (!ni.isUp()) {
            continue;
          }
          for (java.net.InetAddress ia : java.util.Collections.list(ni.getInetAddresses())) {
            boolean isV4 = ia instanceof java.net.Inet4Address;
            if (ia.isLinkLocalAddress() || (v4 && !isV4)) {
              continue;
            }
            out.add(Multiaddr.fromSocketAddress(new InetSocketAddress(ia, sa.getPort())));
          }
        }
      } catch (java.net.SocketException e) {
        out.add(a);
      }
    }
    return List.copyOf(out);
  }

  public List<Connection> connections() {
    List<Connection> all = new ArrayList<>();
    connections.values().forEach(all::addAll);
    return all;
  }

  public List<Connection> connections(PeerId peer) {
    return List.copyOf(connections.getOrDefault(peer, List.of()));
  }

  /**
   * Dials {@code addr}. With {@code /p2p/<id>} the handshake must prove that id; without it, any
   * peer is accepted. Fails after {@link HostConfig#dialTimeout()} (connect + upgrade).
   */
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    Multiaddr.Proto first = addr.components().get(0).proto();
    if (first == Multiaddr.Proto.DNS4 || first == Multiaddr.Proto.DNS6) {
      // resolve off the event loop, keeping only the family the address asks for
      return CompletableFuture.supplyAsync(() -> resolve(addr)).thenCompose(this::dialResolved);
    }
    return dialResolved(addr);
  }

  /** {@code /dns4|dns6/<name>/tcp/<port>[/p2p/id]} → the first address of that family. */
  static Multiaddr resolve(Multiaddr addr) {
    List<Multiaddr.Component> c = addr.components();
    boolean v4 = c.get(0).proto() == Multiaddr.Proto.DNS4;
    try {
      for (java.net.InetAddress ia : java.net.InetAddress.getAllByName(c.get(0).value())) {
        if ((ia instanceof java.net.Inet4Address) == v4) {
          StringBuilder sb = new StringBuilder(v4 ? "/ip4/" : "/ip6/").append(ia.getHostAddress());
          for (Multiaddr.Component rest : c.subList(1, c.size())) {
            sb.append('/').append(rest.proto().name().toLowerCase(java.util.Locale.ROOT));
            sb.append('/').append(rest.value());
          }
          return Multiaddr.parse(sb.toString());
        }
      }
    } catch (java.net.UnknownHostException e) {
      throw new java.util.concurrent.CompletionException(
          new java.io.IOException(
              "failed to dial " + addr + ": cannot resolve " + c.get(0).value()));
    }
    throw new java.util.concurrent.CompletionException(
        new java.io.IOException(
            "failed to dial " + addr + ": no " + (v4 ? "IPv4" : "IPv6") + " address"));
  }

  private CompletableFuture<Connection> dialResolved(Multiaddr addr) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException("failed to dial: host closed"));
      return result;
    }
    Transport transport = transportFor(addr);
    if (transport == null) {
      result.completeExceptionally(
          new IllegalArgumentException("failed to dial " + addr + ": no transport for it"));
      return result;
    }
    Optional<PeerId> expected = addr.peerId();
    if (expected.isPresent() && expected.get().equals(peerId())) {
      result.completeExceptionally(new IllegalArgumentException("failed to dial: that is us"));
      return result;
    }
    Refusal denied = expected.map(access::refusal).orElse(null);
    if (denied != null) {
      resources.count(denied);
      result.completeExceptionally(
          new java.io.IOException("failed to dial " + addr + ": peer " + denied.label()));
      return result;
    }
    if (!gate.allowDial(expected, addr.withoutPeerId())) {
      resources.count(Refusal.GATED);
      result.completeExceptionally(
          new java.io.IOException("failed to dial " + addr + ": refused by the connection gater"));
      return result;
    }
    ResourceManager.Lease lease = resources.outbound();
    if (lease == null) {
      result.completeExceptionally(
          new IllegalStateException(
              "failed to dial "
                  + addr
                  + ": "
                  + config.limits().maxOutboundConnections()
                  + " outbound connections open"));
      return result;
    }
    ChannelFuture cf;
    try {
      // The whole upgrade is installed before the socket connects: on loopback the peer's first
      // bytes can arrive before a connect listener would run.
      cf =
          transport.dial(
              addr,
              config.dialTimeout(),
              ch -> {
                installCommon(ch);
                ch.closeFuture().addListener(x -> lease.release());
                ch.eventLoop()
                    .schedule(
                        () -> {
                          if (!result.isDone()) {
                            ch.close();
                            result.completeExceptionally(
                                new TimeoutException(
                                    "failed to dial "
                                        + addr
                                        + ": timed out after "
                                        + config.dialTimeout()));
                          }
                        },
                        config.dialTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                upgrade(ch, true, expected, addr.withoutPeerId(), lease, result);
              });
    } catch (RuntimeException e) {
      lease.release();
      result.completeExceptionally(e);
      return result;
    }
    cf.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(
                new java.io.IOException(
                    "failed to dial " + addr + ": " + f.cause().getMessage(), f.cause()));
          }
        });
    return result;
  }

  /** A stream to {@code peer} on an existing connection, or a new one to a known address. */
  public CompletableFuture<Stream> newStream(PeerId peer, List<ProtocolId> protocols) {
    for (Connection c : connections(peer)) {
      if (c.isOpen()) {
        return c.newStream(protocols);
      }
    }
    List<Multiaddr> addrs = peerStore.get(peer).map(PeerStore.PeerInfo::addrs).orElse(List.of());
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("failed to open stream: no address known for " + peer));
    }
    return dial(addrs.get(0).withPeerId(peer)).thenCompose(c -> c.newStream(protocols));
  }

  /** Pings {@code peer} on an existing connection (or a new one). */
  public CompletableFuture<Duration> ping(PeerId peer) {
    Optional<Connection> c = connections(peer).stream().filter(Connection::isOpen).findFirst();
    if (c.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("failed to ping " + peer + ": not connected"));
    }
    return Ping.ping(c.get(), config.pingTimeout());
  }

  /** Pings the peer of {@code conn} on that connection. */
  public CompletableFuture<Duration> ping(Connection conn) {
    return Ping.ping(conn, config.pingTimeout());
  }

  /** Completes when the automatic identify on {@code conn} has finished. */
  public CompletableFuture<IdentifyInfo> identified(Connection conn) {
    return ((HostConnection) conn).identified();
  }

  private Transport transportFor(Multiaddr addr) {
    for (Transport t : transports) {
      if (t.canDial(addr)) {
        return t;
      }
    }
    return null;
  }

  private Multiaddr multiaddrOf(java.net.SocketAddress address) {
    for (Transport t : transports) {
      if (t.handles(address)) {
        return t.toMultiaddr(address);
      }
    }
    throw new IllegalStateException("no transport for " + address);
  }

  private void acceptInbound(Channel ch) {
    Multiaddr remote = multiaddrOf(ch.remoteAddress());
    if (!gate.allowAccept(remote)) {
      resources.count(Refusal.GATED);
      ch.close();
      return;
    }
    if (closed.get()) {
      ch.close();
      return;
    }
    java.net.InetAddress ip =
        ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    ResourceManager.Lease lease = resources.inbound(ip, ch::close);
    if (lease == null) {
      LOG.debug("refusing inbound connection from {}: over a connection limit", remote);
      ch.close();
      return;
    }
    ch.closeFuture().addListener(x -> lease.release());
    installCommon(ch);
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Duration deadline = config.limits().handshakeTimeout();
    ch.eventLoop()
        .schedule(
            () -> {
              if (!result.isDone() && ch.isOpen()) {
                resources.count(Refusal.HANDSHAKE_TIMEOUT);
                LOG.debug(
                    "closing inbound connection from {}: upgrade not done within {}",
                    ch.remoteAddress(),
                    deadline);
                ch.close();
              }
            },
            deadline.toMillis(),
            TimeUnit.MILLISECONDS);
    upgrade(ch, false, Optional.empty(), remote, lease, result);
  }

  private void installCommon(Channel ch) {
    long idle = config.idleTimeout().toMillis();
    ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
    ch.pipeline()
        .addLast(
            "idle-close",
            new ChannelDuplexHandler() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent) {
                  LOG.info("closing idle connection to {}", ctx.channel().remoteAddress());
                  ctx.close();
                } else {
                  ctx.fireUserEventTriggered(evt);
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.info(
                    "closing connection to {}: {}",
                    ctx.channel().remoteAddress(),
                    cause.toString());
                ctx.close();
              }
            });
  }

  private void upgrade(
      Channel ch,
      boolean initiator,
      Optional<PeerId> expected,
      Multiaddr remoteAddr,
      ResourceManager.Lease lease,
      CompletableFuture<Connection> result) {
    HostConnection[] holder = new HostConnection[1];
    MuxedSession.Listener inbound = stream -> onInboundStream(holder[0], stream);
    upgrader.secure(
        new RawConnection(ch, initiator),
        expected,
        peer -> admit(peer, lease),
        new Upgrader.Stage<>() {
          @Override
          public void completed(SecuredConnection secured) {
            Connection.Direction dir =
                initiator ? Connection.Direction.OUTBOUND : Connection.Direction.INBOUND;
            lease.secured();
            if (!gate.allowSecured(secured.remotePeer(), dir)) {
              resources.count(Refusal.GATED);
              ch.close();
              upgradeFailed(
                  ch, initiator, secured.remotePeer() + " refused by the connection gater", result);
              return;
            }
            org.chorus.dht.p2p.core.MemoryBudget memory = resources.connectionMemory();
            ch.closeFuture().addListener(x -> memory.close());
            upgrader.multiplex(
                secured,
                memory,
                () -> resources.count(Refusal.STREAMS),
                inbound,
                new Upgrader.Stage<>() {
                  @Override
                  public void completed(MultiplexedConnection mc) {
                    holder[0] =
                        new HostConnection(
                            Host.this,
                            mc,
                            initiator
                                ? Connection.Direction.OUTBOUND
                                : Connection.Direction.INBOUND,
                            multiaddrOf(ch.localAddress()),
                            remoteAddr);
                    if (result.isDone()) { // timed out meanwhile
                      ch.close();
                      return;
                    }
                    if (access.refusal(secured.remotePeer()) != null) { // denied meanwhile
                      resources.count(Refusal.DENIED);
                      ch.close();
                      upgradeFailed(
                          ch, initiator, "peer " + secured.remotePeer() + " denied", result);
                      return;
                    }
                    register(holder[0]);
                    result.complete(holder[0]);
                  }

                  @Override
                  public void failed(String reason) {
                    upgradeFailed(ch, initiator, reason, result);
                  }
                });
          }

          @Override
          public void failed(String reason) {
            upgradeFailed(ch, initiator, reason, result);
          }

          @Override
          public void refused(String reason) { // counted and logged (debug) by the upgrader
            result.completeExceptionally(new java.io.IOException(reason));
          }
        });
    ch.pipeline().addLast("errors", new ErrorHandler());
  }

  /**
   * The Noise handshake's check of the proven remote peer: the allow- and deny-list, then the
   * per-peer cap (which also counts the connection against the peer). Null admits; a refusal is
   * counted here and fails the handshake.
   */
  private String admit(PeerId peer, ResourceManager.Lease lease) {
    Refusal r = access.refusal(peer);
    if (r != null) {
      resources.count(r);
      return r == Refusal.DENIED ? "peer denied" : "peer not on the allow-list";
    }
    if (!lease.admitPeer(peer)) {
      return config.limits().maxConnectionsPerPeer() + " connections to this peer open";
    }
    return null;
  }

  /** Last in the pipeline: any exception a stage raised closes just this connection, logged. */
  private static final class ErrorHandler extends ChannelDuplexHandler {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable c =
          cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
              ? cause.getCause()
              : cause;
      LOG.info("closing connection to {}: {}", ctx.channel().remoteAddress(), c.getMessage());
      ctx.close();
    }
  }

  /**
   * Fails the upgrade. Logged at INFO for our dials; at DEBUG for inbound ones, which anyone can
   * make fail (a flood must not turn into a line per connection: the refusals are counted).
   */
  private void upgradeFailed(
      Channel ch, boolean initiator, String reason, CompletableFuture<Connection> result) {
    if (initiator) {
      LOG.info("connection with {} failed: {}", ch.remoteAddress(), reason);
    } else {
      LOG.debug("inbound connection from {} failed: {}", ch.remoteAddress(), reason);
    }
    result.completeExceptionally(new java.io.IOException(reason));
  }

  private void onInboundStream(HostConnection conn, MuxedStream stream) {
    if (conn == null) { // cannot happen: the session only starts after the connection exists
      stream.reset();
      return;
    }
    StreamNegotiation.respond(
        stream,
        conn,
        Set.copyOf(handlers.keySet()),
        p -> {
          served.computeIfAbsent(p, k -> new java.util.concurrent.atomic.LongAdder()).increment();
          return handlers.get(p);
        },
        config.negotiationTimeout());
  }

  private void register(HostConnection conn) {
    PeerId peer = conn.remotePeer();
    connections.computeIfAbsent(peer, k -> new CopyOnWriteArrayList<>()).add(conn);
    if (access.refusal(peer) != null) { // denied just now: denyPeer may have missed it
      resources.count(Refusal.DENIED);
      conn.close();
    }
    peerStore.setPublicKey(peer, conn.remotePublicKey());
    if (conn.direction() == Connection.Direction.OUTBOUND) {
      peerStore.addAddrs(peer, List.of(conn.remoteAddress()));
    }
    conn.closeFuture()
        .whenComplete(
            (v, e) ->
                connections.computeIfPresent(
                    peer,
                    (k, list) -> {
                      list.remove(conn);
                      return list.isEmpty() ? null : list;
                    }));
    LOG.debug("connected to {} ({})", peer, conn.direction());
    Identify.request(conn, config.identifyTimeout())
        .whenComplete(
            (info, e) -> {
              if (e != null) {
                if (conn.isOpen()) {
                  LOG.info("identify with {} failed: {}", peer, e.toString());
                }
                conn.identified.completeExceptionally(e);
                return;
              }
              peerStore.identified(
                  peer,
                  info.publicKey(),
                  info.agentVersion(),
                  info.protocolVersion(),
                  info.protocols(),
                  info.listenAddrs());
              autoNatProber.onIdentified(info.protocols());
              info.observedAddr()
                  .ifPresent(
                      a -> {
                        if (observedAddrs.size() < 16) {
                          observedAddrs.add(a);
                        }
                      });
              conn.identified.complete(info);
            });
    for (Consumer<Connection> l : connectionListeners) {
      try {
        l.accept(conn);
      } catch (RuntimeException ex) {
        LOG.warn("connection listener failed", ex);
      }
    }
  }

  // ---- connection gating ----------------------------------------------------------------------

  /**
   * What the {@link ConnectionGater} refused so far.
   *
   * @param dials outbound dials refused before connecting
   * @param inbound inbound connections closed on accept
   * @param secured connections closed after the handshake (either direction)
   * @param closed open connections closed by {@link #closeGatedConnections()}
   */
  public record GatedConnections(long dials, long inbound, long secured, long closed) {
    public long total() {
      return dials + inbound + secured + closed;
    }
  }

  /**
   * Consults {@code gater} from now on (default {@link ConnectionGater#ALLOW_ALL}); open
   * connections stay until {@link #closeGatedConnections()}.
   */
  public void setConnectionGater(ConnectionGater gater) {
    gate.set(gater);
  }

  public ConnectionGater connectionGater() {
    return gate.gater();
  }

  public GatedConnections gatedConnections() {
    return gate.counts();
  }

  /**
   * Closes every open connection the gater refuses now (its peer, or its remote address for the
   * direction it was made in). Completes with how many were closed, once they are.
   */
  public CompletableFuture<Integer> closeGatedConnections() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Connection c : connections()) {
      if (c.isOpen() && !gate.stillAllowed(c)) {
        gate.closedOne();
        LOG.info("closing connection to {}: refused by the connection gater", c.remotePeer());
        closing.add(c.close().exceptionally(e -> null));
      }
    }
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
        .thenApply(v -> closing.size());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    autoNatProber.close();
    for (Transport.Listener l : listeners) {
      l.close().join();
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Connection c : connections()) {
      closing.add(c.close());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // shutting down anyway
    }
    memoryGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    memoryGroup.terminationFuture().syncUninterruptibly();
  }

  @Override
  public String toString() {
    return "Host[" + peerId() + " " + listenAddrs() + "]";
  }
}
