package org.chorus.dht.p2p.protocol.autonat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.DialResponse;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.Status;

/**
 * The AutoNAT responder: reads one {@code DIAL}, dials the requester back and answers.
 *
 * <p>Safety (why it cannot be used to make us dial third parties): it dials only the requester's
 * own id ({@code /p2p/<id>} is proven in the handshake, so a dial that reaches somebody else
 * fails), and only addresses whose IP equals the IP we observe the requester's connection from; a
 * {@code DIAL} naming another peer id is {@code E_BAD_REQUEST}. Loopback and private addresses are
 * allowed (fleets on a private network, Kubernetes pod IPs, tests on 127.0.0.1) — the observed-IP
 * rule keeps them safe. Bounded: at most {@link AutoNatConfig#maxConcurrentDials()} dial-backs at
 * once and {@link AutoNatConfig#maxDialsPerPeer()} per peer per {@link
 * AutoNatConfig#throttleWindow()} (over either: {@code E_DIAL_REFUSED}); at most {@link
 * AutoNatConfig#maxDialAddrs()} addresses tried, one after the other, within {@link
 * AutoNatConfig#dialTimeout()}; the request must arrive within {@link
 * AutoNatConfig#requestTimeout()}. A successful dial-back connection is closed straight away; a
 * dial we cannot make at all (our own connection cap, shutting down) is {@code E_DIAL_REFUSED},
 * since it says nothing about the requester.
 *
 * <p>Thread-safe: the limiter's state is guarded by this object's monitor.
 */
public final class AutoNatServer {
  private final AutoNatConfig config;
  private final Function<Multiaddr, CompletableFuture<Connection>> dialer;
  private final LongSupplier nanoTime;
  private final Map<PeerId, Integer> perPeer = new HashMap<>();
  private long windowStart;
  private int inFlight;
  private final AtomicLong dialled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong badRequests = new AtomicLong();

  /**
   * @param dialer dials an address ending in {@code /p2p/<id>} (the host's dial, with its own
   *     timeout)
   * @param nanoTime a monotonic clock for the rate-limit window ({@code System::nanoTime})
   */
  public AutoNatServer(
      AutoNatConfig config,
      Function<Multiaddr, CompletableFuture<Connection>> dialer,
      LongSupplier nanoTime) {
    this.config = config;
    this.dialer = dialer;
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** Dial-backs that reached the requester. */
  public long dialled() {
    return dialled.get();
  }

  /** Dial-backs that failed ({@code E_DIAL_ERROR} answers). */
  public long failed() {
    return failed.get();
  }

  /** Requests refused ({@code E_DIAL_REFUSED}: limits, or no address we may dial). */
  public long refused() {
    return refused.get();
  }

  /** Malformed or inconsistent requests ({@code E_BAD_REQUEST}, or streams reset). */
  public long badRequests() {
    return badRequests.get();
  }

  /** The stream handler for {@link AutoNat#PROTOCOL}. */
  public StreamHandler handler() {
    return stream -> {
      CompletableFuture<byte[]> request = new CompletableFuture<>();
      stream.setListener(
          LengthPrefixed.listener(
              AutoNatCodec.MAX_MESSAGE,
              new LengthPrefixed.Handler() {
                @Override
                public void onMessage(Stream s, byte[] message) {
                  request.complete(message); // a second message is ignored
                }

                @Override
                public void onEnd(Stream s, boolean clean) {
                  request.completeExceptionally(
                      ProtocolException.stream("failed to read autonat dial: closed before it"));
                }

                @Override
                public void onError(Stream s, Throwable cause) {
                  request.completeExceptionally(cause);
                }
              }));
      request
          .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (body, e) -> {
                if (e != null) {
                  badRequests.incrementAndGet();
                  stream.reset();
                  return;
                }
                CompletableFuture<DialResponse> answer;
                try {
                  answer = answer(stream, body);
                } catch (RuntimeException ex) {
                  answer = CompletableFuture.failedFuture(ex);
                }
                answer
                    .thenAccept(resp -> respond(stream, resp))
                    .exceptionally(
                        ex -> {
                          respond(stream, DialResponse.error(Status.E_INTERNAL_ERROR, "internal"));
                          return null;
                        });
              });
    };
  }

  private static void respond(Stream stream, DialResponse resp) {
    LengthPrefixed.write(stream, AutoNatCodec.encode(resp))
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                stream.closeWrite();
              } else {
                stream.reset();
              }
            });
  }

  private CompletableFuture<DialResponse> answer(Stream stream, byte[] body) {
    AutoNatMessage m;
    try {
      m = AutoNatCodec.decode(body);
    } catch (ProtocolException e) {
      return bad(e.getMessage());
    }
    if (!(m instanceof AutoNatMessage.Dial dial)) {
      return bad("expected a DIAL");
    }
    PeerId peer = stream.remotePeer();
    if (dial.peer().isPresent() && !dial.peer().get().equals(peer)) {
      return bad("peer id mismatch");
    }
    Optional<InetAddress> observed =
        stream.connection().remoteAddress().toTcpSocketAddress().map(InetSocketAddress::getAddress);
    if (observed.isEmpty()) {
      return refuse("no IP address observed for the requester");
    }
    List<Multiaddr> targets = dialable(dial.addrs(), observed.get());
    if (targets.isEmpty()) {
      return refuse("no dialable addresses");
    }
    if (!acquire(peer)) {
      return refuse("too many dials");
    }
    return dialInTurn(targets, 0, peer)
        .orTimeout(config.dialTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (addr, e) -> {
              release();
              if (e == null && addr.isPresent()) {
                dialled.incrementAndGet();
                return DialResponse.ok(addr.get());
              }
              if (unwrap(e) instanceof IllegalStateException) { // our cap or shutdown, not theirs
                refused.incrementAndGet();
                return DialResponse.error(Status.E_DIAL_REFUSED, "cannot dial now");
              }
              failed.incrementAndGet();
              return DialResponse.error(Status.E_DIAL_ERROR, "dial failed");
            });
  }

  /** IP + TCP addresses whose IP is the observed one, deduplicated, at most the cap. */
  List<Multiaddr> dialable(List<Multiaddr> addrs, InetAddress observed) {
    LinkedHashSet<Multiaddr> out = new LinkedHashSet<>();
    for (Multiaddr a : addrs) {
      Multiaddr bare = a.withoutPeerId();
      Multiaddr.Proto first = bare.components().get(0).proto();
      if (first != Multiaddr.Proto.IP4 && first != Multiaddr.Proto.IP6) {
        continue; // never resolve names a peer hands us
      }
      Optional<InetSocketAddress> sa = bare.toTcpSocketAddress();
      if (sa.isPresent() && observed.equals(sa.get().getAddress()) && sa.get().getPort() > 0) {
        out.add(bare);
      }
      if (out.size() >= config.maxDialAddrs()) {
        break;
      }
    }
    return new ArrayList<>(out);
  }

  private CompletableFuture<Optional<Multiaddr>> dialInTurn(
      List<Multiaddr> addrs, int i, PeerId peer) {
    if (i >= addrs.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Multiaddr addr = addrs.get(i);
    CompletableFuture<Connection> dial;
    try {
      dial = dialer.apply(addr.withPeerId(peer));
    } catch (RuntimeException e) {
      dial = CompletableFuture.failedFuture(e);
    }
    return dial.handle(
            (conn, e) -> {
              if (e == null) {
                conn.close();
                return CompletableFuture.completedFuture(Optional.of(addr));
              }
              if (unwrap(e) instanceof IllegalStateException) {
                return CompletableFuture.<Optional<Multiaddr>>failedFuture(unwrap(e));
              }
              return dialInTurn(addrs, i + 1, peer);
            })
        .thenCompose(f -> f);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  private synchronized boolean acquire(PeerId peer) {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= config.throttleWindow().toNanos()) {
      perPeer.clear();
      windowStart = now;
    }
    Integer n = perPeer.get(peer);
    if (inFlight >= config.maxConcurrentDials()
        || (n != null && n >= config.maxDialsPerPeer())
        || (n == null && perPeer.size() >= config.maxTrackedPeers())) {
      return false;
    }
    perPeer.put(peer, n == null ? 1 : n + 1);
    inFlight++;
    return true;
  }

  private synchronized void release() {
    inFlight--;
  }

  private CompletableFuture<DialResponse> bad(String why) {
    badRequests.incrementAndGet();
    return CompletableFuture.completedFuture(DialResponse.error(Status.E_BAD_REQUEST, why));
  }

  private CompletableFuture<DialResponse> refuse(String why) {
    refused.incrementAndGet();
    return CompletableFuture.completedFuture(DialResponse.error(Status.E_DIAL_REFUSED, why));
  }
}
