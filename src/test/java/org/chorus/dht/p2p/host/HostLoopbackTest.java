package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.protocol.identify.IdentifyInfo;
import org.chorus.dht.p2p.testing.Echo;
import org.chorus.dht.p2p.testing.Pings;
import org.chorus.dht.p2p.testing.StreamCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HostLoopbackTest {
  static Host a;
  static Host b;
  static Multiaddr bAddr;

  @BeforeAll
  static void start() throws Exception {
    a = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
    b = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
    a.setHandler(Echo.PROTOCOL, Echo.handler());
    b.setHandler(Echo.PROTOCOL, Echo.handler());
    a.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
    bAddr = b.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  @Test
  void dialsIdentifiesBothWaysAndPings() throws Exception {
    Connection c = a.dial(bAddr.withPeerId(b.peerId())).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(b.peerId());
    assertThat(c.muxer().value()).isEqualTo("/yamux/1.0.0");
    IdentifyInfo info = a.identified(c).get(10, TimeUnit.SECONDS);
    assertThat(info.agentVersion()).isEqualTo(HostConfig.DEFAULT_AGENT_VERSION);
    assertThat(info.protocols())
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", Echo.PROTOCOL.value());
    assertThat(info.observedAddr()).isPresent();
    assertThat(info.listenAddrs()).contains(bAddr);
    // the other side identified us too
    assertThat(info.observedAddr().orElseThrow()).isEqualTo(c.localAddress());
    Connection back = waitForConnection(b, c.localAddress());
    IdentifyInfo infoB = b.identified(back).get(10, TimeUnit.SECONDS);
    assertThat(infoB.observedAddr().orElseThrow()).isEqualTo(bAddr);
    assertThat(b.peerStore().get(a.peerId()).orElseThrow().agentVersion())
        .isEqualTo(HostConfig.DEFAULT_AGENT_VERSION);
    Pings.roundTrip(a, c);
    Pings.roundTrip(b, back);
  }

  @Test
  void manySequentialDials() throws Exception {
    for (int i = 0; i < 40; i++) {
      Connection c = a.dial(bAddr).get(10, TimeUnit.SECONDS);
      c.close().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void dialWithoutPeerIdLearnsIt() throws Exception {
    Connection c = a.dial(bAddr).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(b.peerId());
  }

  @Test
  void dialsDns4Names() throws Exception {
    Multiaddr dns = Multiaddr.parse("/dns4/localhost/tcp/" + bAddr.components().get(1).value());
    Connection c = a.dial(dns.withPeerId(b.peerId())).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(b.peerId());
    assertThat(c.remoteAddress().toString()).startsWith("/ip4/127.");
    assertThatThrownBy(
            () ->
                a.dial(Multiaddr.parse("/dns4/no-such-host.invalid/tcp/1"))
                    .get(10, TimeUnit.SECONDS))
        .hasMessageContaining("cannot resolve");
  }

  @Test
  void dialWithWrongPeerIdFails() {
    Multiaddr wrong = bAddr.withPeerId(IdentityKey.generate().peerId());
    assertThatThrownBy(() -> a.dial(wrong).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("peer id mismatch");
  }

  @Test
  void fiftyConcurrentStreamsOfOneMebibyteBothWays() throws Exception {
    Connection c = a.dial(bAddr.withPeerId(b.peerId())).get(10, TimeUnit.SECONDS);
    assertThat(echoStreams(c, 50, 1 << 20)).isEqualTo(50);
  }

  /** Opens {@code n} echo streams, sends {@code size} random bytes on each, checks the echo. */
  public static int echoStreams(Connection c, int n, int size) throws Exception {
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] payload = new byte[size];
      new Random(i).nextBytes(payload);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload);
      all.add(
          c.newStream(Echo.PROTOCOL)
              .thenCompose(
                  s -> {
                    StreamCollector col = StreamCollector.on(s);
                    for (int off = 0; off < size; off += 100_000) {
                      byte[] chunk =
                          java.util.Arrays.copyOfRange(payload, off, Math.min(size, off + 100_000));
                      s.write(chunk);
                    }
                    s.closeWrite();
                    return col.done();
                  })
              .thenApply(
                  got -> {
                    try {
                      return MessageDigest.isEqual(
                          digest, MessageDigest.getInstance("SHA-256").digest(got));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    int ok = 0;
    for (CompletableFuture<Boolean> f : all) {
      if (f.get(60, TimeUnit.SECONDS)) {
        ok++;
      }
    }
    return ok;
  }

  /** The connection on {@code on} whose remote address is {@code from}, once it is there. */
  static Connection waitForConnection(Host on, Multiaddr from) throws Exception {
    CompletableFuture<Connection> arrived = new CompletableFuture<>();
    on.addConnectionListener(
        c -> {
          if (c.remoteAddress().equals(from)) {
            arrived.complete(c);
          }
        });
    for (Connection c : on.connections()) { // it may have come before the listener
      if (c.remoteAddress().equals(from)) {
        arrived.complete(c);
      }
    }
    return arrived.get(10, TimeUnit.SECONDS);
  }
}
