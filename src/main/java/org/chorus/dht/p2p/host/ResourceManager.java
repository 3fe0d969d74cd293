package org.chorus.dht.p2p.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.core.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's connection accounting, in the spirit of go-libp2p's resource manager: inbound and
 * outbound slots apart, inbound connections per source address, connections per peer, the memory
 * budgets, and a counter per {@link Refusal}. Every connection holds a {@link Lease} from accept
 * (or dial) to close.
 *
 * <p>Full inbound slots: a newcomer whose address holds at least two connections fewer than the
 * most represented address takes the slot of that address's newest connection still in its
 * handshake (closed, counted {@link Refusal#EVICTED}); otherwise it is refused. So an attacker who
 * fills the slots from a few addresses cannot keep a peer from another address out; to do that it
 * needs as many addresses as there are slots. Established connections are never evicted.
 *
 * <p>IPv4 addresses count one by one (every 127.0.0.x too); IPv6 ones by their /64 prefix, the
 * smallest block one host usually gets.
 *
 * <p>Thread-safe: slot bookkeeping under the instance lock (short, no I/O; evicted channels are
 * closed after the lock is released), counters and memory lock-free.
 */
final class ResourceManager {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceManager.class);

  /** A refusal reason is logged at INFO at most this often; the rest are counted. */
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final ConnectionLimits limits;
  private final EnumMap<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
  private final EnumMap<Refusal, AtomicLong> lastLogged = new EnumMap<>(Refusal.class);
  private final MemoryBudget memory;
  private final Map<InetAddress, Address> byAddress = new HashMap<>();
  private final Map<PeerId, Integer> byPeer = new HashMap<>();
  private int inbound;
  private int outbound;

  /** One source address's inbound connections; those still in their handshake, oldest first. */
  private static final class Address {
    int count;
    final ArrayDeque<Lease> handshaking = new ArrayDeque<>();
  }

  ResourceManager(ConnectionLimits limits) {
    this.limits = limits;
    for (Refusal r : Refusal.values()) {
      refused.put(r, new LongAdder());
      lastLogged.put(r, new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS));
    }
    this.memory = MemoryBudget.root(limits.maxMemory(), () -> count(Refusal.MEMORY_TOTAL));
  }

  ConnectionLimits limits() {
    return limits;
  }

  /**
   * A slot for an inbound connection from {@code ip} (null: no IP, e.g. the memory transport), or
   * null when refused (counted). {@code close} closes the connection if it is evicted later.
   */
  Lease inbound(InetAddress ip, Runnable close) {
    InetAddress key = ip == null ? null : addressKey(ip);
    Lease evicted = null;
    Lease lease;
    synchronized (this) {
      Address a = key == null ? null : byAddress.get(key);
      int mine = a == null ? 0 : a.count;
      if (mine >= limits.maxInboundPerIp()) {
        lease = null;
      } else {
        if (inbound >= limits.maxInboundConnections()) {
          evicted = evictFor(mine);
        }
        if (inbound >= limits.maxInboundConnections()) {
          lease = null;
        } else {
          inbound++;
          lease = new Lease(Connection.Direction.INBOUND, key, close);
          if (key != null) {
            Address entry = byAddress.computeIfAbsent(key, k -> new Address());
            entry.count++;
            entry.handshaking.addLast(lease);
          }
        }
      }
      if (lease == null) {
        count(mine >= limits.maxInboundPerIp() ? Refusal.PER_IP : Refusal.INBOUND_FULL);
      }
    }
    if (evicted != null) {
      count(Refusal.EVICTED);
      evicted.close.run();
    }
    return lease;
  }

  /** Frees the slot of the most represented address's newest handshaking connection, if fair. */
  private Lease evictFor(int newcomerCount) {
    Address victim = null;
    for (Address a : byAddress.values()) {
      if (!a.handshaking.isEmpty() && (victim == null || a.count > victim.count)) {
        victim = a;
      }
    }
    if (victim == null || newcomerCount + 1 >= victim.count) {
      return null;
    }
    Lease l = victim.handshaking.peekLast();
    releaseLocked(l);
    return l;
  }

  /** A slot for an outbound dial, or null when refused (counted). */
  Lease outbound() {
    synchronized (this) {
      if (outbound < limits.maxOutboundConnections()) {
        outbound++;
        return new Lease(Connection.Direction.OUTBOUND, null, () -> {});
      }
    }
    count(Refusal.OUTBOUND_FULL);
    return null;
  }

  /** A new connection's memory budget, drawing on the host's. */
  MemoryBudget connectionMemory() {
    return memory.child(limits.maxConnectionMemory(), () -> count(Refusal.MEMORY));
  }

  long memoryUsed() {
    return memory.used();
  }

  synchronized int connections(Connection.Direction direction) {
    return direction == Connection.Direction.INBOUND ? inbound : outbound;
  }

  /** Inbound connections per source address (IPv6: per /64) now. */
  synchronized Map<InetAddress, Integer> inboundByAddress() {
    Map<InetAddress, Integer> out = new HashMap<>();
    byAddress.forEach((k, v) -> out.put(k, v.count));
    return out;
  }

  long refused(Refusal reason) {
    return refused.get(reason).sum();
  }

  /** Counts a refusal; logs its reason at INFO at most every 10 s (with the running total). */
  void count(Refusal reason) {
    LongAdder n = refused.get(reason);
    n.increment();
    AtomicLong last = lastLogged.get(reason);
    long now = System.nanoTime();
    long before = last.get();
    if (now - before >= LOG_EVERY_NANOS && last.compareAndSet(before, now)) {
      LOG.info("refused ({}): {} so far", reason.label(), n.sum());
    }
  }

  private void releaseLocked(Lease l) {
    if (l.released) {
      return;
    }
    l.released = true;
    if (l.direction == Connection.Direction.INBOUND) {
      inbound--;
      if (l.address != null) {
        Address a = byAddress.get(l.address);
        if (a != null) {
          a.handshaking.remove(l);
          if (--a.count == 0) {
            byAddress.remove(l.address);
          }
        }
      }
    } else {
      outbound--;
    }
    if (l.peer != null) {
      byPeer.computeIfPresent(l.peer, (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  /** IPv4: the address; IPv6: its /64 prefix. */
  static InetAddress addressKey(InetAddress ip) {
    if (!(ip instanceof Inet6Address)) {
      return ip;
    }
    byte[] b = ip.getAddress();
    for (int i = 8; i < b.length; i++) {
      b[i] = 0;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return ip; // 16 bytes are always a valid address
    }
  }

  /** One connection's slot, held from accept (or dial) until {@link #release()}. */
  final class Lease {
    private final Connection.Direction direction;
    private final InetAddress address;
    private final Runnable close;
    private PeerId peer;
    private boolean released;

    private Lease(Connection.Direction direction, InetAddress address, Runnable close) {
      this.direction = direction;
      this.address = address;
      this.close = close;
    }

    /**
     * Counts the connection against {@code peer}'s cap once the handshake proved it: false (and
     * counted {@link Refusal#PER_PEER}) when the peer already has its maximum.
     */
    boolean admitPeer(PeerId id) {
      synchronized (ResourceManager.this) {
        if (released) {
          return false;
        }
        int n = byPeer.getOrDefault(id, 0);
        if (n < limits.maxConnectionsPerPeer()) {
          byPeer.put(id, n + 1);
          peer = id;
          return true;
        }
      }
      count(Refusal.PER_PEER);
      return false;
    }

    /** The handshake is done: the connection can no longer be evicted. */
    void secured() {
      synchronized (ResourceManager.this) {
        if (address != null && !released) {
          Address a = byAddress.get(address);
          if (a != null) {
            a.handshaking.remove(this);
          }
        }
      }
    }

    /** Gives the slot back (idempotent). */
    void release() {
      synchronized (ResourceManager.this) {
        releaseLocked(this);
      }
    }

    boolean released() {
      synchronized (ResourceManager.this) {
        return released;
      }
    }
  }
}
