package org.chorus.dht.p2p.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamListener;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.testing.JsPeer;
import org.chorus.dht.p2p.testing.KadEcho;

/**
 * Loopback benchmark, Java↔Java: connection setup time (TCP + multistream + Noise XX + yamux) and
 * stream throughput over one Noise+Yamux connection. Run by {@code bench/p2p.sh}. Args: {@code [MiB
 * per run, default 256] [setup dials, default 50]}.
 */
public final class P2pBench {
  static final ProtocolId SINK = ProtocolId.of("/chorus/bench/sink/1.0.0");

  public static void main(String[] args) throws Exception {
    boolean js = args.length > 0 && args[0].equals("--js");
    if (js) {
      args = Arrays.copyOfRange(args, 1, args.length);
    }
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int dials = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    if (js) {
      jsBench(mib, dials);
      return;
    }
    System.out.println(
        "java "
            + System.getProperty("java.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cpus");
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      server.setHandler(SINK, P2pBench::sink);
      Multiaddr addr =
          server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get().withPeerId(server.peerId());
      setup(client, addr, 10); // warm-up
      setup(client, addr, dials);
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      throughput(c, 1, Math.max(16, mib / 4)); // warm-up
      throughput(c, 1, mib);
      throughput(c, 8, mib);
      throughput(c, 50, mib);
    }
  }

  /**
   * Java↔js: setup time of our dials to the js peer, and throughput through js's kad PUT_VALUE echo
   * (32 streams at a time, js's cap; 1 MiB values), counted one way and both ways.
   */
  static void jsBench(int mib, int dials) throws Exception {
    System.out.println("java <-> js-libp2p (jspeer), java " + System.getProperty("java.version"));
    if (!JsPeer.nodeAvailable()) {
      System.out.println("node is not installed: skipping the js benchmark");
      return;
    }
    try (JsPeer js = JsPeer.start("--http-port", "-1");
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      setup(client, js.addr(), 10);
      setup(client, js.addr(), dials);
      Connection c = client.dial(js.addr()).get(10, TimeUnit.SECONDS);
      byte[] value = new byte[1 << 20];
      new java.util.Random(1).nextBytes(value);
      for (int round = 0; round < 2; round++) {
        int total = round == 0 ? 32 : Math.max(32, mib);
        long t0 = System.nanoTime();
        for (int done = 0; done < total; done += 32) {
          List<CompletableFuture<byte[]>> batch = new ArrayList<>();
          for (int i = 0; i < Math.min(32, total - done); i++) {
            byte[] req = KadEcho.putValue(("/CHORUS/bench/" + (done + i)).getBytes(), value);
            batch.add(c.newStream(KadEcho.KAD).thenCompose(s -> KadEcho.roundTrip(s, req)));
          }
          CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (round > 0) {
          System.out.printf(
              "throughput via js kad echo, 32 streams, %d MiB each way: %.1f MB/s each way (%.2f s)%n",
              total, total * 1.048576 / secs, secs);
        }
      }
    }
  }

  static void setup(Host client, Multiaddr addr, int n) throws Exception {
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      ns[i] = System.nanoTime() - t0;
      c.close().get(5, TimeUnit.SECONDS);
    }
    Arrays.sort(ns);
    System.out.printf(
        "connection setup (tcp+noise+yamux), %d dials: median %.2f ms, p90 %.2f ms%n",
        n, ns[n / 2] / 1e6, ns[(int) (n * 0.9)] / 1e6);
  }

  /** Sends {@code mib} MiB split over {@code streams} streams to the sink; waits for all acks. */
  static void throughput(Connection c, int streams, int mib) throws Exception {
    long perStream = (long) mib * 1024 * 1024 / streams;
    byte[] chunk = new byte[64 * 1024];
    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      done.add(
          c.newStream(SINK)
              .thenCompose(
                  s -> {
                    CompletableFuture<Void> acked = new CompletableFuture<>();
                    s.setListener(
                        new StreamListener() {
                          @Override
                          public void onData(Stream st, byte[] data) {}

                          @Override
                          public void onRemoteClose(Stream st) {
                            acked.complete(null);
                          }

                          @Override
                          public void onReset(Stream st, Throwable cause) {
                            acked.completeExceptionally(cause);
                          }
                        });
                    pump(s, chunk, perStream, acked);
                    return acked;
                  }));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "throughput, %d stream(s), %d MiB total: %.1f MB/s (%.2f s)%n",
        streams, mib, perStream * streams / 1e6 / secs, secs);
  }

  /** Keeps about 1 MiB queued on the stream until {@code total} bytes are written. */
  private static void pump(Stream s, byte[] chunk, long total, CompletableFuture<Void> acked) {
    AtomicLong left = new AtomicLong(total);
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          for (int i = 0; i < 16 && left.get() > 0; i++) {
            int n = (int) Math.min(chunk.length, left.get());
            left.addAndGet(-n);
            CompletableFuture<Void> w =
                s.write(n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
            if (i == 15 || left.get() == 0) {
              w.whenComplete(
                  (v, e) -> {
                    if (e != null) {
                      acked.completeExceptionally(e);
                    } else if (left.get() > 0) {
                      next[0].run();
                    } else {
                      s.closeWrite();
                    }
                  });
            }
          }
        };
    next[0].run();
  }

  /** Discards input; closes its side when the peer does (the sender's ack). */
  static void sink(Stream s) {
    s.setListener(
        new StreamListener() {
          @Override
          public void onData(Stream st, byte[] data) {}

          @Override
          public void onRemoteClose(Stream st) {
            st.closeWrite();
          }
        });
  }
}
