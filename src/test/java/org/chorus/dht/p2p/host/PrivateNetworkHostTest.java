package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.p2p.testing.Echo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hosts in private networks on loopback TCP and on the memory transport: the same key connects in
 * both directions and carries streams; another key, or none, fails fast on both sides (well under
 * the 3 s handshake and 10 s dial timeouts), counted by the keyed side, and leaves no connection.
 */
class PrivateNetworkHostTest {
  static final Multiaddr TCP = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
  static final SwarmKey KEY = SwarmKey.generate();
  static final SwarmKey OTHER = SwarmKey.generate();

  /** Faster than this is "at once": no timeout was waited out. */
  static final Duration FAST = Duration.ofMillis(2500);

  static Host host(SwarmKey key) {
    return Host.create(
        HostConfig.builder().ioThreads(1).swarmKey(key).build(), IdentityKey.generate());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/ip4/127.0.0.1/tcp/0", "/memory/0"})
  void theSameKeyConnectsBothWaysAndCarriesStreams(String listen) throws Exception {
    try (Host a = host(KEY);
        Host b = host(SwarmKey.parse(KEY.encode()))) {
      a.setHandler(Echo.PROTOCOL, Echo.handler());
      b.setHandler(Echo.PROTOCOL, Echo.handler());
      Multiaddr addrA = a.listen(Multiaddr.parse(listen)).get(10, TimeUnit.SECONDS);
      Multiaddr addrB = b.listen(Multiaddr.parse(listen)).get(10, TimeUnit.SECONDS);

      Connection ab = a.dial(addrB).get(10, TimeUnit.SECONDS);
      assertThat(ab.remotePeer()).isEqualTo(b.peerId());
      assertThat(HostLoopbackTest.echoStreams(ab, 5, 300_000)).isEqualTo(5);
      a.identified(ab).get(10, TimeUnit.SECONDS);

      Connection ba = b.dial(addrA.withPeerId(a.peerId())).get(10, TimeUnit.SECONDS);
      assertThat(HostLoopbackTest.echoStreams(ba, 5, 300_000)).isEqualTo(5);
      assertThat(b.ping(ba).get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));

      assertThat(a.privateNetworkRefused()).isZero();
      assertThat(b.privateNetworkRefused()).isZero();
    }
  }

  /** dialer key, listener key ("-" for none); which sides count a refusal. */
  @ParameterizedTest(name = "{0} dials {1}")
  @CsvSource({
    "key, other, 1, 1",
    "key, -, 1, 0",
    "-, key, 0, 1",
  })
  void anotherKeyOrNoneFailsAtOnceOnBothSides(
      String dialerKey, String listenerKey, long dialerRefused, long listenerRefused)
      throws Exception {
    try (Host dialer = host(key(dialerKey));
        Host listener = host(key(listenerKey))) {
      Multiaddr addr = listener.listen(TCP).get(10, TimeUnit.SECONDS);
      long start = System.nanoTime();
      assertThatThrownBy(() -> dialer.dial(addr).get(10, TimeUnit.SECONDS))
          .satisfies(
              e -> {
                if (dialerRefused > 0) {
                  assertThat(e).hasMessageContaining("private network:");
                }
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
      await()
          .atMost(FAST)
          .untilAsserted(
              () -> {
                assertThat(dialer.privateNetworkRefused()).isEqualTo(dialerRefused);
                assertThat(listener.privateNetworkRefused()).isEqualTo(listenerRefused);
                assertThat(dialer.connections()).isEmpty();
                assertThat(listener.connections()).isEmpty();
              });
      assertThat(listener.peerStore().get(dialer.peerId())).isEmpty();
    }
  }

  @Test
  void aRefusalSaysWhy() throws Exception {
    try (Host keyed = host(KEY);
        Host other = host(OTHER);
        Host open = host(null)) {
      Multiaddr otherAddr = other.listen(TCP).get(10, TimeUnit.SECONDS);
      Multiaddr openAddr = open.listen(TCP).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> keyed.dial(otherAddr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("private network:")
          .hasMessageMatching(".*(another swarm key|closed the connection).*");
      assertThatThrownBy(() -> keyed.dial(openAddr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining(
              "private network: the peer sent a multistream-select header in the" + " clear");
    }
  }

  static SwarmKey key(String name) {
    return switch (name) {
      case "key" -> KEY;
      case "other" -> OTHER;
      default -> null;
    };
  }
}
