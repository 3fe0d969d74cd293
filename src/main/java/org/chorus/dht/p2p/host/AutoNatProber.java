package org.chorus.dht.p2p.host;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.protocol.autonat.AutoNat;
import org.chorus.dht.p2p.protocol.autonat.AutoNatConfig;
import org.chorus.dht.p2p.protocol.autonat.Reachability;
import org.chorus.dht.p2p.protocol.autonat.ReachabilityTracker;
import org.chorus.dht.p2p.protocol.autonat.ReachabilityTracker.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's AutoNAT client ("ambient" probing, as go-libp2p's): once {@link #start()}ed it asks
 * one connected AutoNAT peer at a time (the one asked least recently) to dial back our advertised
 * IP/TCP addresses: first after {@link AutoNatConfig#bootDelay()}, then every {@link
 * AutoNatConfig#retryInterval()} until the status is confirmed, then every {@link
 * AutoNatConfig#refreshInterval()}; while the status is unknown, a newly identified AutoNAT peer is
 * asked at once. {@link ReachabilityTracker} decides; listeners hear every change.
 *
 * <p>Thread-safe: all state is confined to one event loop; {@link #status()} is a volatile read.
 */
final class AutoNatProber {
  private static final Logger LOG = LoggerFactory.getLogger(AutoNatProber.class);

  private final Host host;
  private final AutoNatConfig config;
  private final EventLoop loop;
  private final ReachabilityTracker tracker;
  private final List<Consumer<Reachability>> listeners = new CopyOnWriteArrayList<>();
  private final Map<PeerId, Long> lastAsked = new HashMap<>();
  private final List<CompletableFuture<Reachability>> waiters = new ArrayList<>();
  private volatile Reachability status = Reachability.UNKNOWN;
  private boolean started;
  private boolean probing;
  private boolean closed;
  private ScheduledFuture<?> next;

  AutoNatProber(Host host, AutoNatConfig config, EventLoop loop) {
    this.host = host;
    this.config = config;
    this.loop = loop;
    this.tracker = new ReachabilityTracker(config.confirmations());
  }

  Reachability status() {
    return status;
  }

  void addListener(Consumer<Reachability> l) {
    listeners.add(l);
  }

  void removeListener(Consumer<Reachability> l) {
    listeners.remove(l);
  }

  void start() {
    run(
        () -> {
          if (!started && !closed) {
            started = true;
            schedule(config.bootDelay());
          }
        });
  }

  /** One probe now (or joins the one running); completes with the status after it. */
  CompletableFuture<Reachability> probeNow() {
    CompletableFuture<Reachability> done = new CompletableFuture<>();
    if (!run(
        () -> {
          waiters.add(done);
          probe();
        })) {
      done.complete(status);
    }
    return done;
  }

  /** A peer was identified (or pushed): ask it at once if it serves AutoNAT and we know nothing. */
  void onIdentified(List<String> protocols) {
    if (!protocols.contains(AutoNat.PROTOCOL.value())) {
      return;
    }
    run(
        () -> {
          if (started && !closed && status == Reachability.UNKNOWN && !probing) {
            probe();
          }
        });
  }

  void close() {
    run(
        () -> {
          closed = true;
          if (next != null) {
            next.cancel(false);
          }
          finishWaiters();
        });
  }

  /** Runs {@code task} on the prober's loop; after the host closed, nothing runs. */
  private boolean run(Runnable task) {
    try {
      loop.execute(task);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  private void schedule(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    next = loop.schedule(this::probe, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void probe() {
    if (closed) {
      finishWaiters();
      return;
    }
    if (probing) {
      return; // waiters are told when it ends
    }
    List<Connection> candidates = candidates();
    List<Multiaddr> addrs =
        host.advertisedAddrs().stream()
            .filter(a -> a.toTcpSocketAddress().map(s -> !s.isUnresolved()).orElse(false))
            .toList();
    if (candidates.isEmpty() || addrs.isEmpty()) {
      finishWaiters();
      if (started) {
        schedule(config.retryInterval());
      }
      return;
    }
    Connection conn = candidates.get(0);
    for (Connection c : candidates) {
      if (lastAsked.getOrDefault(c.remotePeer(), Long.MIN_VALUE)
          < lastAsked.getOrDefault(conn.remotePeer(), Long.MIN_VALUE)) {
        conn = c;
      }
    }
    lastAsked.keySet().retainAll(candidates.stream().map(Connection::remotePeer).toList());
    lastAsked.put(conn.remotePeer(), System.nanoTime());
    probing = true;
    int peers = candidates.size();
    PeerId asked = conn.remotePeer();
    AutoNat.dialBack(conn, addrs, config.requestTimeout())
        .handle(
            (r, e) -> {
              if (e != null) {
                LOG.debug("autonat probe through {} failed: {}", asked, e.toString());
                return Observation.NO_INFORMATION;
              }
              LOG.debug("autonat probe through {}: {} {}", asked, r.status(), r.statusText());
              return ReachabilityTracker.observationOf(r.status());
            })
        .thenAccept(o -> run(() -> answered(o, peers)));
  }

  private void answered(Observation o, int peers) {
    probing = false;
    Reachability before = status;
    status = tracker.record(o, peers);
    if (status != before) {
      LOG.info("reachability is now {} (was {})", status, before);
      for (Consumer<Reachability> l : listeners) {
        try {
          l.accept(status);
        } catch (RuntimeException e) {
          LOG.warn("reachability listener failed", e);
        }
      }
    }
    finishWaiters();
    if (started && !closed) {
      schedule(tracker.confirmed() ? config.refreshInterval() : config.retryInterval());
    }
  }

  private void finishWaiters() {
    List<CompletableFuture<Reachability>> done = new ArrayList<>(waiters);
    waiters.clear();
    done.forEach(w -> w.complete(status));
  }

  /** One open connection per peer that said (in identify) it serves AutoNAT. */
  private List<Connection> candidates() {
    Map<PeerId, Connection> out = new LinkedHashMap<>();
    for (Connection c : host.connections()) {
      if (!c.isOpen() || out.containsKey(c.remotePeer())) {
        continue;
      }
      boolean serves =
          host.peerStore()
              .get(c.remotePeer())
              .map(p -> p.protocols().contains(AutoNat.PROTOCOL.value()))
              .orElse(false);
      if (serves) {
        out.put(c.remotePeer(), c);
      }
    }
    return new ArrayList<>(out.values());
  }
}
