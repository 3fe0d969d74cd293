package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.host.Refusal;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with the default connection limits under a flood on loopback: 1,000 connections from
 * 127.0.0.2–127.0.0.101 (ten per address) held open without a byte, re-opened a second after the
 * node closes them, plus 50 peers from 127.0.0.102–127.0.0.111 sending garbage, again and again.
 * Meanwhile a legitimate node (from 127.0.0.1) joins and reads a value: it joins within 10 s, its
 * reads succeed, at most {@link ConnectionLimits#DEFAULT_MAX_INBOUND_PER_IP} connections per source
 * address are ever admitted, the inbound slots never exceed their cap, and the node's used heap
 * after GC grows by less than {@link #HEAP_BOUND}. Bounded: about 30 s on 2 cores.
 */
@Tag("cluster")
@Tag("slow")
class ConnectionFloodTest {
  static final int HOLDERS = 1_000;
  static final int HOLDER_ADDRESSES = 100;
  static final int GARBAGE = 50;
  static final Duration HOLD = Duration.ofSeconds(12);
  static final Duration REOPEN_AFTER = Duration.ofSeconds(1);
  static final long HEAP_BOUND = 64L << 20;

  @TempDir Path root;

  @Test
  void aLegitimateNodeJoinsAndReadsWhileOutsidersFloodTheNode() throws Exception {
    HostConfig defaults = HostConfig.DEFAULT; // the limits a real node runs with
    NetworkDht node =
        NetworkNodes.start(
            root.resolve("node"),
            IdentityKey.generate(),
            NetworkNodes.KAD,
            NetworkNodes.OPERATION_TIMEOUT,
            QueryTimer.SYSTEM,
            defaults);
    NetworkDht legit =
        NetworkNodes.start(
            root.resolve("legit"),
            IdentityKey.generate(),
            NetworkNodes.KAD,
            NetworkNodes.OPERATION_TIMEOUT,
            QueryTimer.SYSTEM,
            defaults);
    Flood flood = null;
    Sampler sampler = null;
    try {
      String address = "ucxl://agent-1/senior_architect/flood/task-1/notes.md";
      String key = NetworkNodes.key(address);
      byte[] value = NetworkNodes.envelope(address, "held under flood");
      node.putValue(key, value);
      long heapBefore = usedHeapAfterGc();

      InetSocketAddress target =
          node.host().listenAddrs().get(0).toTcpSocketAddress().orElseThrow();
      flood = new Flood(target);
      sampler = new Sampler(node);
      sampler.start();
      flood.start();
      long t0 = System.nanoTime();
      while (node.host().connectionCount(Connection.Direction.INBOUND)
              < ConnectionLimits.DEFAULT_MAX_INBOUND_CONNECTIONS - 20
          && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)) {
        Thread.sleep(50);
      }
      int floodedSlots = node.host().connectionCount(Connection.Direction.INBOUND);

      long joinStart = System.nanoTime();
      legit.bootstrap(List.of(NetworkNodes.addr(node))).get(10, TimeUnit.SECONDS);
      Duration joined = Duration.ofNanos(System.nanoTime() - joinStart);
      Optional<byte[]> read = legit.getValue(key);

      Thread.sleep(HOLD.toMillis()); // the flood goes on: deadlines, re-opens, evictions
      Optional<byte[]> readAgain = legit.getValue(key);
      long heapDuring = usedHeapAfterGc();
      long attempts = flood.attempts.get();
      flood.close();
      flood = null;
      sampler.close();
      long t1 = System.nanoTime();
      while (node.host().connectionCount(Connection.Direction.INBOUND) > 1
          && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(15)) {
        Thread.sleep(50);
      }
      long heapAfter = usedHeapAfterGc();

      System.out.printf(
          "flood: %d connection attempts (%d holders from %d addresses, %d garbage peers),"
              + " %d inbound slots filled; legit node joined in %d ms%n",
          attempts, HOLDERS, HOLDER_ADDRESSES, GARBAGE, floodedSlots, joined.toMillis());
      System.out.printf(
          "flood: most inbound connections from one address %d, most inbound slots in use %d%n",
          sampler.maxPerAddress.get(), sampler.maxInbound.get());
      StringBuilder refusals = new StringBuilder("flood: refused");
      for (Refusal r : Refusal.values()) {
        refusals.append(' ').append(r.label()).append('=').append(node.host().refused(r));
      }
      System.out.println(refusals);
      System.out.printf(
          "flood: used heap after GC %.1f MiB before, %.1f MiB during (+%.1f MiB, bound %d MiB),"
              + " %.1f MiB after%n",
          mib(heapBefore),
          mib(heapDuring),
          mib(heapDuring - heapBefore),
          HEAP_BOUND >> 20,
          mib(heapAfter));

      assertThat(joined).isLessThan(Duration.ofSeconds(10));
      assertThat(read).as("the read while flooded").hasValue(value);
      assertThat(readAgain).as("the read after 12 s of flood").hasValue(value);
      assertThat(sampler.maxPerAddress.get())
          .isLessThanOrEqualTo(ConnectionLimits.DEFAULT_MAX_INBOUND_PER_IP);
      assertThat(sampler.maxInbound.get())
          .isLessThanOrEqualTo(ConnectionLimits.DEFAULT_MAX_INBOUND_CONNECTIONS);
      assertThat(node.host().refused(Refusal.PER_IP)).isPositive();
      assertThat(node.host().refused(Refusal.HANDSHAKE_TIMEOUT)).isPositive();
      assertThat(heapDuring - heapBefore).isLessThan(HEAP_BOUND);
      assertThat(node.host().connections(legit.host().peerId())).isNotEmpty();
    } finally {
      if (flood != null) {
        flood.close();
      }
      if (sampler != null) {
        sampler.close();
      }
      NetworkNodes.closeQuietly(legit);
      NetworkNodes.closeQuietly(node);
    }
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Samples the node's inbound connections per address (the most seen) every 20 ms. */
  static final class Sampler extends Thread implements AutoCloseable {
    final NetworkDht node;
    final AtomicInteger maxPerAddress = new AtomicInteger();
    final AtomicInteger maxInbound = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();

    Sampler(NetworkDht node) {
      super("flood-sampler");
      setDaemon(true);
      this.node = node;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        for (int n : node.host().inboundByAddress().values()) {
          maxPerAddress.accumulateAndGet(n, Math::max);
        }
        maxInbound.accumulateAndGet(
            node.host().connectionCount(Connection.Direction.INBOUND), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      join(5_000);
    }
  }

  /**
   * The outsiders, on one selector thread: holders connect and say nothing; garbage peers send 4
   * KiB of noise (half of them after a valid multistream header proposing {@code /noise}). Every
   * connection the node closes is opened again {@link #REOPEN_AFTER} later.
   */
  static final class Flood extends Thread implements AutoCloseable {
    final InetSocketAddress target;
    final AtomicLong attempts = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final ArrayDeque<Reopen> reopen = new ArrayDeque<>();
    final Random random = new Random(42);
    Selector selector;

    record Slot(InetAddress source, boolean garbage, boolean header) {}

    record Reopen(Slot slot, long atNanos) {}

    final List<Slot> slots = new ArrayList<>();

    Flood(InetSocketAddress target) throws IOException {
      super("flood");
      setDaemon(true);
      this.target = target;
      for (int a = 0; a < HOLDER_ADDRESSES; a++) {
        InetAddress source = InetAddress.getByName("127.0.0." + (2 + a));
        for (int i = 0; i < HOLDERS / HOLDER_ADDRESSES; i++) {
          slots.add(new Slot(source, false, false));
        }
      }
      for (int g = 0; g < GARBAGE; g++) {
        InetAddress source = InetAddress.getByName("127.0.0." + (102 + g % 10));
        slots.add(new Slot(source, true, g % 2 == 0));
      }
      selector = Selector.open();
    }

    @Override
    public synchronized void start() {
      for (Slot s : slots) {
        open(s);
      }
      super.start();
    }

    void open(Slot slot) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.bind(new InetSocketAddress(slot.source(), 0));
        attempts.incrementAndGet();
        SelectionKey k = ch.register(selector, SelectionKey.OP_CONNECT, slot);
        if (ch.connect(target)) {
          connected(k, slot);
        }
      } catch (IOException e) {
        reopenLater(slot);
      }
    }

    void connected(SelectionKey k, Slot slot) throws IOException {
      SocketChannel ch = (SocketChannel) k.channel();
      if (slot.garbage()) {
        ByteBuffer out = ByteBuffer.allocate(4096 + 64);
        if (slot.header()) {
          out.put((byte) 19).put("/multistream/1.0.0\n".getBytes(StandardCharsets.US_ASCII));
          out.put((byte) 7).put("/noise\n".getBytes(StandardCharsets.US_ASCII));
        }
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        out.put(noise).flip();
        ch.write(out); // what the socket takes; the rest does not matter
      }
      k.interestOps(SelectionKey.OP_READ);
    }

    void reopenLater(Slot slot) {
      reopen.add(new Reopen(slot, System.nanoTime() + REOPEN_AFTER.toNanos()));
    }

    @Override
    public void run() {
      ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
      try {
        while (!stop.get()) {
          selector.select(50);
          for (SelectionKey k : selector.selectedKeys()) {
            SocketChannel ch = (SocketChannel) k.channel();
            Slot slot = (Slot) k.attachment();
            try {
              if (k.isValid() && k.isConnectable()) {
                ch.finishConnect();
                connected(k, slot);
              } else if (k.isValid() && k.isReadable()) {
                sink.clear();
                if (ch.read(sink) < 0) {
                  throw new IOException("closed by the node");
                }
              }
            } catch (IOException e) {
              k.cancel();
              ch.close();
              reopenLater(slot);
            }
          }
          selector.selectedKeys().clear();
          long now = System.nanoTime();
          while (!reopen.isEmpty() && reopen.peek().atNanos() <= now) {
            open(reopen.poll().slot());
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws Exception {
      if (!stop.compareAndSet(false, true)) {
        return;
      }
      join(5_000);
      for (SelectionKey k : selector.keys()) {
        k.channel().close();
      }
      selector.close();
    }
  }
}
