package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

/** The {@link ConnectionGater} hooks of {@link Host}, over real TCP on loopback. */
class ConnectionGaterTest {
  static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  @Test
  void allowsEverythingByDefault() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      assertThat(client.connectionGater()).isSameAs(ConnectionGater.ALLOW_ALL);
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      client.dial(addr.withPeerId(server.peerId())).get(10, TimeUnit.SECONDS);
      assertThat(client.gatedConnections().total()).isZero();
      assertThat(server.gatedConnections().total()).isZero();
    }
  }

  @Test
  void dialToDeniedPeerIsRefusedBeforeConnecting() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      DenyListGater deny = new DenyListGater();
      deny.denyPeer(server.peerId());
      client.setConnectionGater(deny);

      assertThatThrownBy(
              () -> client.dial(addr.withPeerId(server.peerId())).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("refused by the connection gater");
      assertThat(client.gatedConnections().dials()).isEqualTo(1);
      assertThat(server.connections()).isEmpty();
      assertThat(server.gatedConnections().total()).isZero();

      deny.allowPeer(server.peerId());
      Connection c = client.dial(addr.withPeerId(server.peerId())).get(10, TimeUnit.SECONDS);
      assertThat(c.remotePeer()).isEqualTo(server.peerId());
    }
  }

  @Test
  void dialToDeniedAddressIsRefused() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      DenyListGater deny = new DenyListGater();
      deny.denyAddress(InetAddress.getByName("127.0.0.1"));
      client.setConnectionGater(deny);
      assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("refused by the connection gater");
      assertThat(client.gatedConnections().dials()).isEqualTo(1);
    }
  }

  @Test
  void inboundFromDeniedAddressIsClosedOnAccept() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      DenyListGater deny = new DenyListGater();
      deny.denyAddress(InetAddress.getByName("127.0.0.1"));
      server.setConnectionGater(deny);

      assertThatThrownBy(() -> client.dial(addr).get(15, TimeUnit.SECONDS))
          .hasMessageContaining("failed");
      assertThat(server.gatedConnections().inbound()).isEqualTo(1);
      assertThat(server.gatedConnections().secured()).isZero();
      assertThat(server.connections()).isEmpty();
    }
  }

  @Test
  void deniedPeerIsClosedAfterTheHandshakeOnEitherSide() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);

      // the server learns who dials only from the handshake
      DenyListGater serverDeny = new DenyListGater();
      serverDeny.denyPeer(client.peerId());
      server.setConnectionGater(serverDeny);
      assertThatThrownBy(() -> client.dial(addr).get(15, TimeUnit.SECONDS))
          .hasMessageContaining("failed");
      assertThat(server.gatedConnections().secured()).isEqualTo(1);
      assertThat(server.gatedConnections().inbound()).isZero();
      assertThat(server.connections()).isEmpty();
      server.setConnectionGater(ConnectionGater.ALLOW_ALL);

      // a dial without /p2p cannot be gated by peer before connecting: the handshake is
      DenyListGater clientDeny = new DenyListGater();
      clientDeny.denyPeer(server.peerId());
      client.setConnectionGater(clientDeny);
      assertThatThrownBy(() -> client.dial(addr).get(15, TimeUnit.SECONDS))
          .hasMessageContaining("refused by the connection gater");
      assertThat(client.gatedConnections().dials()).isZero();
      assertThat(client.gatedConnections().secured()).isEqualTo(1);
      assertThat(client.connections()).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().isEmpty());
    }
  }

  @Test
  void aGaterThatThrowsRefuses() throws Exception {
    try (Host server = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host client = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addr = server.listen(ANY).get(10, TimeUnit.SECONDS);
      client.setConnectionGater(
          new ConnectionGater() {
            @Override
            public boolean allowDial(Optional<PeerId> peer, Multiaddr a) {
              throw new IllegalStateException("broken gater");
            }
          });
      assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("refused by the connection gater");
    }
  }

  @Test
  void closeGatedConnectionsClosesOnlyDeniedPeersThenTheyMayReconnect() throws Exception {
    try (Host a = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host b = Host.create(HostConfig.DEFAULT, IdentityKey.generate());
        Host c = Host.create(HostConfig.DEFAULT, IdentityKey.generate())) {
      Multiaddr addrA = a.listen(ANY).get(10, TimeUnit.SECONDS).withPeerId(a.peerId());
      b.dial(addrA).get(10, TimeUnit.SECONDS);
      c.dial(addrA).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> a.connections().size() == 2);

      DenyListGater deny = new DenyListGater();
      a.setConnectionGater(deny);
      assertThat(a.closeGatedConnections().get(10, TimeUnit.SECONDS)).isZero();

      deny.denyPeer(b.peerId());
      assertThat(a.closeGatedConnections().get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(a.gatedConnections().closed()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> a.connections(b.peerId()).isEmpty());
      await().atMost(Duration.ofSeconds(10)).until(() -> b.connections(a.peerId()).isEmpty());
      assertThat(a.connections(c.peerId())).hasSize(1);

      // b's redial is refused once the handshake shows who it is
      assertThatThrownBy(() -> b.dial(addrA).get(15, TimeUnit.SECONDS))
          .hasMessageContaining("failed");
      assertThat(a.gatedConnections().secured()).isEqualTo(1);

      deny.clear();
      assertThat(b.dial(addrA).get(10, TimeUnit.SECONDS).isOpen()).isTrue();
      assertThat(deny.deniedPeers()).isEmpty();
    }
  }

  @Test
  void denyListIsCapped() {
    DenyListGater deny = new DenyListGater();
    for (int i = 0; i < DenyListGater.MAX_ENTRIES; i++) {
      deny.denyPeer(IdentityKey.generate().peerId());
    }
    assertThatThrownBy(() -> deny.denyPeer(IdentityKey.generate().peerId()))
        .hasMessageContaining("already denied");
  }
}
