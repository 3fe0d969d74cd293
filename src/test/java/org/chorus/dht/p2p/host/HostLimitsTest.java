package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.testing.Echo;
import org.chorus.dht.p2p.testing.Pings;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
  static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  @Test
  void inboundConnectionCapPlusOneIsRefused() throws Exception {
    HostConfig capped =
        HostConfig.builder()
            .limits(ConnectionLimits.builder().maxInboundConnections(2).build())
            .build();
    try (Host server = Host.create(capped, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      client.dial(addr).get(10, TimeUnit.SECONDS);
      client.dial(addr).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("failed");
      assertThat(server.refused(Refusal.INBOUND_FULL)).isEqualTo(1);
      assertThat(server.connectionCount(Connection.Direction.INBOUND)).isEqualTo(2);
    }
  }

  @Test
  void outboundConnectionCapPlusOneFailsTheDial() throws Exception {
    HostConfig capped =
        HostConfig.builder()
            .limits(ConnectionLimits.builder().maxOutboundConnections(1).build())
            .build();
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(capped, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      client.dial(addr).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("1 outbound connections open");
      assertThat(client.refused(Refusal.OUTBOUND_FULL)).isEqualTo(1);
    }
  }

  @Test
  void streamCapPlusOneIsRefused() throws Exception {
    YamuxConfig y =
        new YamuxConfig(
            YamuxConfig.DEFAULT_INITIAL_WINDOW,
            4,
            YamuxConfig.DEFAULT_MAX_FRAME_DATA,
            YamuxConfig.DEFAULT_MAX_SEND_BUFFER);
    try (Host server = Host.create(HostConfig.builder().yamux(y).build(), IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      server.setHandler(Echo.PROTOCOL, Echo.handler());
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      client.identified(c).get(10, TimeUnit.SECONDS); // identify's stream is gone again
      waitUntil(() -> server.connections().get(0).streamCount() == 0);
      List<Stream> open = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        open.add(c.newStream(Echo.PROTOCOL).get(10, TimeUnit.SECONDS));
      }
      CompletableFuture<Stream> fifth = c.newStream(Echo.PROTOCOL);
      assertThatThrownBy(() -> fifth.get(10, TimeUnit.SECONDS)).hasMessageContaining("reset");
      assertThat(c.isOpen()).isTrue();
      assertThat(server.refused(Refusal.STREAMS)).isEqualTo(1);
      open.get(0).reset();
      waitUntil(() -> server.connections().get(0).streamCount() < 4);
      assertThat(c.newStream(Echo.PROTOCOL).get(10, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void unsupportedProtocolFailsJustTheStream() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> c.newStream(ProtocolId.of("/nope/1")).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("supports none");
      Pings.roundTrip(client, c);
    }
  }

  @Test
  void bytesHeldWithoutAListenerAreCapped() throws Exception {
    HostConfig small = HostConfig.builder().maxPendingStreamBytes(64 * 1024).build();
    try (Host server = Host.create(small, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      CompletableFuture<Stream> parked = new CompletableFuture<>();
      server.setHandler(Echo.PROTOCOL, parked::complete); // never sets a listener
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      Stream s = c.newStream(Echo.PROTOCOL).get(10, TimeUnit.SECONDS);
      org.chorus.dht.p2p.testing.StreamCollector col =
          org.chorus.dht.p2p.testing.StreamCollector.on(s);
      s.write(new byte[64 * 1024]).get(10, TimeUnit.SECONDS); // at the cap: held
      s.write(new byte[1]); // cap + 1: the server resets the stream
      assertThatThrownBy(() -> col.done().get(10, TimeUnit.SECONDS)).hasMessageContaining("reset");
      assertThat(c.isOpen()).isTrue();
    }
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    HostConfig idle = HostConfig.builder().idleTimeout(Duration.ofMillis(300)).build();
    try (Host server = Host.create(idle, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
      c.closeFuture().get(10, TimeUnit.SECONDS);
      assertThat(c.isOpen()).isFalse();
    }
  }

  @Test
  void dialTimesOutAgainstASilentPeer() throws Exception {
    HostConfig quick = HostConfig.builder().dialTimeout(Duration.ofMillis(300)).build();
    try (ServerSocket silent = new ServerSocket();
        Host client = Host.create(quick, IdentityKey.generate())) {
      silent.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket s = silent.accept();
                    InputStream in = s.getInputStream()) {
                  in.readAllBytes(); // read and say nothing
                } catch (Exception ignored) {
                  // closed
                }
              });
      acceptor.start();
      Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + silent.getLocalPort());
      assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("timed out");
      acceptor.join(10_000);
    }
  }

  @Test
  void garbageAfterTheHandshakeClosesOnlyThatConnection() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      Connection good = client.dial(addr).get(10, TimeUnit.SECONDS);
      InetSocketAddress sa = addr.toTcpSocketAddress().orElseThrow();
      try (Socket raw = new Socket(sa.getAddress(), sa.getPort())) {
        raw.getOutputStream()
            .write(("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "x".repeat(100)).getBytes());
        raw.setSoTimeout(5000);
        InputStream in = raw.getInputStream();
        while (in.read() >= 0) {
          // the server answers with its multistream header, then closes
        }
      }
      Pings.roundTrip(client, good);
    }
  }

  @Test
  void configValidationNamesTheKnob() {
    assertThatThrownBy(() -> ConnectionLimits.builder().maxInboundConnections(0).build())
        .hasMessageContaining("maxInboundConnections");
    assertThatThrownBy(() -> HostConfig.builder().dialTimeout(Duration.ZERO).build())
        .hasMessageContaining("dialTimeout");
    assertThatThrownBy(() -> new YamuxConfig(1024, 1, 1024, 1024))
        .hasMessageContaining("initialWindow");
    assertThat(HostConfig.DEFAULT.toBuilder().build()).isEqualTo(HostConfig.DEFAULT);
  }

  /** Polls {@code cond} (the hosts expose no event for it) for up to 30 s. */
  static void waitUntil(BooleanSupplier cond) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(cond::getAsBoolean);
  }
}
