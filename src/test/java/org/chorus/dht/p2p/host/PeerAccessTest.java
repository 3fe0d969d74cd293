package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.protocol.identify.Identify;
import org.chorus.dht.p2p.testing.Pings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The allow- and deny-list ({@link PeerAccess}) with real hosts on loopback: a refused peer's
 * connection is closed in the Noise handshake, in both directions, before identify or any other
 * protocol runs on it, and counted.
 */
class PeerAccessTest {
  static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void closeAll() {
    hosts.forEach(Host::close);
  }

  Host host(IdentityKey key, Set<PeerId> allowed, Set<PeerId> denied) {
    Host h =
        Host.create(
            HostConfig.builder().ioThreads(1).allowedPeers(allowed).deniedPeers(denied).build(),
            key);
    hosts.add(h);
    return h;
  }

  Host host() {
    return host(IdentityKey.generate(), Set.of(), Set.of());
  }

  static Multiaddr listen(Host h) throws Exception {
    return h.listen(ANY).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDeniedPeersInboundConnectionIsClosedBeforeIdentify() throws Exception {
    IdentityKey clientKey = IdentityKey.generate();
    Host server = host(IdentityKey.generate(), Set.of(), Set.of(clientKey.peerId()));
    Host client = host(clientKey, Set.of(), Set.of());
    Multiaddr addr = listen(server);
    assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("failed");
    assertThat(server.refused(Refusal.DENIED)).isEqualTo(1);
    assertThat(server.connections()).isEmpty();
    assertThat(server.inboundStreams(Identify.PROTOCOL)).isZero();
    assertThat(server.peerStore().get(clientKey.peerId())).isEmpty();
    Host stranger = host(); // others still get in
    Pings.roundTrip(stranger, stranger.dial(addr).get(10, TimeUnit.SECONDS));
  }

  @Test
  void anOutboundConnectionToADeniedPeerIsClosedBeforeWeRevealOurselves() throws Exception {
    IdentityKey serverKey = IdentityKey.generate();
    Host server = host(serverKey, Set.of(), Set.of());
    Host client = host(IdentityKey.generate(), Set.of(), Set.of(serverKey.peerId()));
    Multiaddr addr = listen(server);
    // the address does not name the peer: the handshake finds out
    assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("peer denied");
    assertThat(client.refused(Refusal.DENIED)).isEqualTo(1);
    assertThat(client.connections()).isEmpty();
    assertThat(server.connections()).isEmpty(); // it never got our message 3
    assertThat(server.inboundStreams(Identify.PROTOCOL)).isZero();
    // the address names the peer: refused before connecting
    assertThatThrownBy(
            () -> client.dial(addr.withPeerId(serverKey.peerId())).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("peer denied");
    assertThat(client.refused(Refusal.DENIED)).isEqualTo(2);
  }

  @Test
  void anAllowListLetsOnlyItsPeersInEitherDirection() throws Exception {
    IdentityKey friendKey = IdentityKey.generate();
    Host server = host(IdentityKey.generate(), Set.of(friendKey.peerId()), Set.of());
    Multiaddr addr = listen(server);
    Host friend = host(friendKey, Set.of(), Set.of());
    Pings.roundTrip(friend, friend.dial(addr).get(10, TimeUnit.SECONDS));
    Host stranger = host();
    assertThatThrownBy(() -> stranger.dial(addr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("failed");
    assertThat(server.refused(Refusal.NOT_ALLOWED)).isEqualTo(1);
    assertThat(server.connections(stranger.peerId())).isEmpty();

    // outbound: the server may dial its friend, not the stranger
    Multiaddr strangerAddr = listen(stranger);
    assertThatThrownBy(() -> server.dial(strangerAddr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("not on the allow-list");
    assertThat(server.refused(Refusal.NOT_ALLOWED)).isEqualTo(2);
    Multiaddr friendAddr = listen(friend);
    Connection out = server.dial(friendAddr).get(10, TimeUnit.SECONDS);
    assertThat(out.remotePeer()).isEqualTo(friendKey.peerId());
  }

  @Test
  void aDenialAtRunTimeClosesTheOpenConnectionsAndALiftLetsThePeerBack() throws Exception {
    Host server = host();
    Host client = host();
    Multiaddr addr = listen(server);
    Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
    client.identified(c).get(10, TimeUnit.SECONDS);
    HostLimitsTest.waitUntil(() -> server.connections(client.peerId()).size() == 1);

    assertThat(server.denyPeer(client.peerId()).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    c.closeFuture().get(10, TimeUnit.SECONDS);
    assertThat(server.refused(Refusal.DENIED)).isEqualTo(1);
    assertThat(server.peerAccess().denied()).containsExactly(client.peerId());
    assertThatThrownBy(() -> client.dial(addr).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("failed");
    assertThat(server.refused(Refusal.DENIED)).isEqualTo(2);

    assertThat(server.liftDenial(client.peerId())).isTrue();
    Pings.roundTrip(client, client.dial(addr).get(10, TimeUnit.SECONDS));
  }

  @Test
  void theDenyListIsCapped() {
    PeerAccess access = new PeerAccess(Set.of(), Set.of());
    for (int i = 0; i < PeerAccess.MAX_DENIED; i++) {
      access.deny(fakePeer(i));
    }
    assertThatThrownBy(() -> access.deny(fakePeer(PeerAccess.MAX_DENIED)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(PeerAccess.MAX_DENIED + " peers are denied already");
    assertThat(access.deny(fakePeer(0))).isFalse(); // one already there is fine
  }

  /** A syntactically valid peer id (identity multihash of 36 bytes) without a key behind it. */
  static PeerId fakePeer(int i) {
    byte[] mh = new byte[38];
    mh[0] = 0x00; // identity
    mh[1] = 36;
    mh[2] = 0x08;
    mh[3] = 0x01; // Ed25519
    mh[4] = 0x12;
    mh[5] = 32;
    mh[6] = (byte) (i >>> 24);
    mh[7] = (byte) (i >>> 16);
    mh[8] = (byte) (i >>> 8);
    mh[9] = (byte) i;
    return PeerId.fromBytes(mh);
  }
}
