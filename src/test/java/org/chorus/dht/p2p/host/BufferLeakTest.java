package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.p2p.testing.Echo;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs traffic and error paths with Netty's leak detector at PARANOID and fails if it reports a
 * ByteBuf that was never released: in the public network, and in a private network (every byte
 * through the pnet protector both ways), with refused connections of another key and of none.
 */
class BufferLeakTest {
  private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  @Test
  void noByteBufLeaks() throws Exception {
    ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
    Logger nettyLeaks = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    ListAppender<ILoggingEvent> reports = new ListAppender<>();
    reports.start();
    nettyLeaks.addAppender(reports);
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    try {
      traffic(HostConfig.DEFAULT);
      SwarmKey key = SwarmKey.generate();
      traffic(HostConfig.builder().swarmKey(key).build());
      try (Host keyed =
              Host.create(HostConfig.builder().swarmKey(key).build(), IdentityKey.generate());
          Host other =
              Host.create(
                  HostConfig.builder().swarmKey(SwarmKey.generate()).build(),
                  IdentityKey.generate());
          Host open = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
        Multiaddr keyedAddr = keyed.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
        Multiaddr otherAddr = other.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
        Multiaddr openAddr = open.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
          keyed.dial(otherAddr).handle((c, e) -> null).get(10, TimeUnit.SECONDS);
          keyed.dial(openAddr).handle((c, e) -> null).get(10, TimeUnit.SECONDS);
          open.dial(keyedAddr).handle((c, e) -> null).get(10, TimeUnit.SECONDS);
        }
        assertThat(keyed.privateNetworkRefused()).isGreaterThanOrEqualTo(6);
      }
      for (int i = 0; i < 3; i++) {
        collectGarbage();
        // leaks are reported when later buffers are tracked
        for (int j = 0; j < 200; j++) {
          ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
          buf.release();
          Unpooled.buffer(16).release();
        }
      }
      assertThat(reports.list)
          .filteredOn(e -> e.getFormattedMessage().contains("LEAK"))
          .as("Netty leak reports")
          .isEmpty();
    } finally {
      ResourceLeakDetector.setLevel(before);
      nettyLeaks.detachAppender(reports);
    }
  }

  /** Streams, a ping, a refused protocol, a reset and a close mid-traffic between two hosts. */
  private static void traffic(HostConfig config) throws Exception {
    try (Host a = Host.create(config, IdentityKey.generate());
        Host b = Host.create(config, IdentityKey.generate())) {
      b.setHandler(Echo.PROTOCOL, Echo.handler());
      Multiaddr addr = b.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
      Connection c = a.dial(addr).get(10, TimeUnit.SECONDS);
      assertThat(HostLoopbackTest.echoStreams(c, 10, 200_000)).isEqualTo(10);
      a.ping(c).get(10, TimeUnit.SECONDS);
      // refused protocol, reset stream, then the connection goes away mid-traffic
      c.newStream(ProtocolId.of("/none")).handle((s, e) -> null).get(10, TimeUnit.SECONDS);
      c.newStream(Echo.PROTOCOL).get(10, TimeUnit.SECONDS).reset();
      c.newStream(Echo.PROTOCOL).get(10, TimeUnit.SECONDS).write(new byte[300_000]);
      c.close().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Runs a full GC and waits until it has cleared and enqueued a weak reference of ours, so the
   * leak detector's weak references to unreleased buffers (cleared in the same collection) can be
   * polled. Waits on the event, not for a fixed time.
   */
  private static void collectGarbage() throws InterruptedException {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Reference<?> cleared;
    do {
      assertThat(System.nanoTime()).as("a GC cleared the sentinel").isLessThan(deadline);
      System.gc();
      cleared = queue.remove(100);
    } while (cleared == null);
    assertThat(cleared).isSameAs(sentinel);
  }
}
