package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.testing.Pings;
import org.chorus.dht.p2p.testing.StreamCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host's {@link ConnectionLimits} over real TCP on loopback: each cap + 1 refused and counted
 * ({@link Host#refused}). Raw clients bind 127.0.0.x source addresses (Linux routes all of 127/8 to
 * lo).
 */
class ResourceLimitsTest {
  static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
  static final ProtocolId MESSAGES = ProtocolId.of("/chorus/test/messages/1.0.0");
  static final int MIB = 1 << 20;

  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  Host host(ConnectionLimits limits) {
    Host h =
        Host.create(
            HostConfig.builder().ioThreads(1).limits(limits).build(), IdentityKey.generate());
    open.add(h);
    return h;
  }

  Host host() {
    return host(ConnectionLimits.DEFAULT);
  }

  static InetSocketAddress tcp(Multiaddr addr) {
    return addr.toTcpSocketAddress().orElseThrow();
  }

  /** A raw TCP client from {@code source} that says nothing. */
  Socket raw(String source, Multiaddr server) throws IOException {
    Socket s = new Socket();
    open.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
    s.connect(tcp(server), 5_000);
    return s;
  }

  /** True when the server keeps {@code s} (it sends its multistream header), false when closed. */
  static boolean admitted(Socket s) throws IOException {
    s.setSoTimeout(5_000);
    InputStream in = s.getInputStream();
    try {
      return in.read() >= 0;
    } catch (SocketTimeoutException e) {
      return true;
    }
  }

  /** Closed by the server within {@code within}. */
  static boolean closedWithin(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // the multistream header, then nothing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Test
  void perIpCapPlusOneIsClosedAtAccept() throws Exception {
    Host server = host(ConnectionLimits.builder().maxInboundPerIp(3).build());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      assertThat(admitted(raw("127.0.0.2", addr))).isTrue();
    }
    assertThat(admitted(raw("127.0.0.2", addr))).as("cap + 1").isFalse();
    assertThat(server.refused(Refusal.PER_IP)).isEqualTo(1);
    assertThat(admitted(raw("127.0.0.3", addr))).as("another source address").isTrue();
    assertThat(server.inboundByAddress())
        .containsEntry(InetAddress.getByName("127.0.0.2"), 3)
        .containsEntry(InetAddress.getByName("127.0.0.3"), 1);
  }

  @Test
  void fullInboundSlotsNeverStopOutboundDials() throws Exception {
    Host node = host(ConnectionLimits.builder().maxInboundConnections(2).build());
    Multiaddr addr = node.listen(ANY).get(10, TimeUnit.SECONDS);
    raw("127.0.0.2", addr);
    raw("127.0.0.3", addr);
    assertThat(admitted(raw("127.0.0.4", addr))).isFalse(); // inbound full, nobody to evict
    assertThat(node.refused(Refusal.INBOUND_FULL)).isEqualTo(1);
    Host other = host();
    Multiaddr otherAddr = other.listen(ANY).get(10, TimeUnit.SECONDS);
    Connection c = node.dial(otherAddr).get(10, TimeUnit.SECONDS);
    Pings.roundTrip(node, c);
    assertThat(node.connectionCount(Connection.Direction.OUTBOUND)).isEqualTo(1);
  }

  @Test
  void aNewcomerTakesTheSlotOfAConnectionStuckInItsHandshake() throws Exception {
    Host server =
        host(ConnectionLimits.builder().maxInboundConnections(4).maxInboundPerIp(8).build());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    List<Socket> stuck = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stuck.add(raw("127.0.0.2", addr));
      assertThat(admitted(stuck.get(i))).isTrue();
    }
    Host client = host(); // dials from 127.0.0.1, which holds nothing
    Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
    Pings.roundTrip(client, c);
    assertThat(server.refused(Refusal.EVICTED)).isEqualTo(1);
    assertThat(server.inboundByAddress()).containsEntry(InetAddress.getByName("127.0.0.2"), 3);
    assertThat(closedWithin(stuck.get(3), Duration.ofSeconds(5))).as("the newest one").isTrue();
  }

  @Test
  void perPeerCapPlusOneIsClosedInTheHandshake() throws Exception {
    Host server = host(ConnectionLimits.builder().maxConnectionsPerPeer(2).build());
    Host client = host();
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    client.dial(addr).get(10, TimeUnit.SECONDS);
    client.dial(addr).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("failed");
    assertThat(server.refused(Refusal.PER_PEER)).isEqualTo(1);
    HostLimitsTest.waitUntil(() -> server.connections(client.peerId()).size() == 2);
    Host another = host(); // another peer from the same address is fine
    another.dial(addr).get(10, TimeUnit.SECONDS);
  }

  @Test
  void anInboundConnectionThatNeverFinishesItsHandshakeIsClosedAtTheDeadline() throws Exception {
    Host server = host(ConnectionLimits.builder().handshakeTimeout(Duration.ofMillis(300)).build());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    Socket silent = raw("127.0.0.2", addr);
    assertThat(closedWithin(silent, Duration.ofSeconds(5))).isTrue();
    HostLimitsTest.waitUntil(() -> server.refused(Refusal.HANDSHAKE_TIMEOUT) == 1);
    HostLimitsTest.waitUntil(() -> server.connectionCount(Connection.Direction.INBOUND) == 0);
  }

  /** A server that collects every length-prefixed message on {@link #MESSAGES} streams. */
  static CompletableFuture<byte[]> serveMessages(Host server, List<Stream> streams) {
    CompletableFuture<byte[]> first = new CompletableFuture<>();
    server.setHandler(
        MESSAGES,
        stream -> {
          synchronized (streams) {
            streams.add(stream);
          }
          stream.setListener(
              LengthPrefixed.listener(8 * MIB, (s, message) -> first.complete(message)));
        });
    return first;
  }

  static byte[] prefix(int length) {
    return Varint.encode(length);
  }

  @Test
  void aMessageOverTheConnectionsMemoryBudgetResetsItsStream() throws Exception {
    Host server = host(ConnectionLimits.builder().maxConnectionMemory(MIB).build());
    Host client = host();
    CompletableFuture<byte[]> got = serveMessages(server, new ArrayList<>());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
    client.identified(c).get(10, TimeUnit.SECONDS);
    HostLimitsTest.waitUntil(() -> server.memoryUsed() == 0);

    Stream over = c.newStream(MESSAGES).get(10, TimeUnit.SECONDS);
    StreamCollector overEnd = StreamCollector.on(over);
    over.write(prefix(MIB + 1)); // a length alone reserves nothing
    over.write(new byte[MIB + 1]); // budget + 1: the last byte is refused
    assertThatThrownBy(() -> overEnd.done().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("reset");
    assertThat(server.refused(Refusal.MEMORY)).isEqualTo(1);

    Stream atCap = c.newStream(MESSAGES).get(10, TimeUnit.SECONDS);
    LengthPrefixed.write(atCap, new byte[MIB]).get(10, TimeUnit.SECONDS); // at the budget
    assertThat(got.get(10, TimeUnit.SECONDS)).hasSize(MIB);
    assertThat(c.isOpen()).isTrue();
    HostLimitsTest.waitUntil(() -> server.memoryUsed() == 0); // given back once handled
  }

  @Test
  void allConnectionsTogetherStayWithinTheHostsMemoryBudget() throws Exception {
    Host server =
        host(ConnectionLimits.builder().maxConnectionMemory(MIB).maxMemory(MIB + MIB / 2).build());
    CompletableFuture<byte[]> got = serveMessages(server, new ArrayList<>());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    Host a = host();
    Host b = host();
    Connection ca = a.dial(addr).get(10, TimeUnit.SECONDS);
    Connection cb = b.dial(addr).get(10, TimeUnit.SECONDS);
    a.identified(ca).get(10, TimeUnit.SECONDS);
    b.identified(cb).get(10, TimeUnit.SECONDS);

    Stream sa = ca.newStream(MESSAGES).get(10, TimeUnit.SECONDS);
    sa.write(prefix(MIB)).get(10, TimeUnit.SECONDS);
    sa.write(new byte[MIB - 1]).get(10, TimeUnit.SECONDS); // a holds 1 MiB - 1 of the 1.5 MiB
    HostLimitsTest.waitUntil(() -> server.memoryUsed() >= MIB - 1);
    Stream sb = cb.newStream(MESSAGES).get(10, TimeUnit.SECONDS);
    StreamCollector sbEnd = StreamCollector.on(sb);
    sb.write(prefix(MIB));
    sb.write(new byte[MIB]); // fits b's own budget, not the host's
    assertThatThrownBy(() -> sbEnd.done().get(10, TimeUnit.SECONDS)).hasMessageContaining("reset");
    assertThat(server.refused(Refusal.MEMORY_TOTAL)).isEqualTo(1);

    sa.write(new byte[1]).get(10, TimeUnit.SECONDS); // a's message completes
    assertThat(got.get(10, TimeUnit.SECONDS)).hasSize(MIB);
    HostLimitsTest.waitUntil(() -> server.memoryUsed() == 0);
  }

  @Test
  void theMemoryOfAClosedConnectionComesBack() throws Exception {
    Host server = host(ConnectionLimits.builder().maxConnectionMemory(2 * MIB).build());
    serveMessages(server, new ArrayList<>());
    Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
    Host client = host();
    Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
    Stream s = c.newStream(MESSAGES).get(10, TimeUnit.SECONDS);
    s.write(prefix(MIB)).get(10, TimeUnit.SECONDS); // a message begun, never finished
    s.write(new byte[MIB / 2]).get(10, TimeUnit.SECONDS);
    HostLimitsTest.waitUntil(() -> server.memoryUsed() >= MIB / 2);
    c.close().get(10, TimeUnit.SECONDS);
    HostLimitsTest.waitUntil(() -> server.memoryUsed() == 0);
  }
}
