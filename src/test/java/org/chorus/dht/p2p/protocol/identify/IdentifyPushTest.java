package org.chorus.dht.p2p.protocol.identify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.junit.jupiter.api.Test;

/** {@code /ipfs/id/push/1.0.0} between two real hosts on loopback TCP. */
class IdentifyPushTest {
  static final ProtocolId EXTRA = ProtocolId.of("/chorus/test-extra/1.0.0");

  @Test
  void protocolAndAddressChangesReachConnectedPeers() throws Exception {
    HostConfig config = HostConfig.builder().ioThreads(1).build();
    try (Host a = Host.create(config, IdentityKey.generate());
        Host b = Host.create(config, IdentityKey.generate())) {
      Multiaddr aAddr = a.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
      b.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
      Connection c = b.dial(aAddr.withPeerId(a.peerId())).get(10, TimeUnit.SECONDS);
      b.identified(c).get(10, TimeUnit.SECONDS);
      List<String> pushed = new CopyOnWriteArrayList<>();
      b.addPushListener((peer, info) -> pushed.add(peer + " " + info.protocols()));
      assertThat(protocolsOf(b, a.peerId())).contains(Identify.PUSH_PROTOCOL.value());
      assertThat(protocolsOf(b, a.peerId())).doesNotContain(EXTRA.value());

      a.setHandler(EXTRA, s -> s.reset());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> protocolsOf(b, a.peerId()).contains(EXTRA.value()));
      assertThat(pushed).anyMatch(p -> p.startsWith(a.peerId().toString()));

      a.removeHandler(EXTRA);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !protocolsOf(b, a.peerId()).contains(EXTRA.value()));
      assertThat(protocolsOf(b, a.peerId())).contains(Identify.PROTOCOL.value());

      Multiaddr claimed = Multiaddr.parse("/ip4/127.0.0.1/tcp/1");
      a.setAnnounceAddrs(List.of(claimed));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> b.peerStore().get(a.peerId()).orElseThrow().addrs().equals(List.of(claimed)));
    }
  }

  @Test
  void aPushWithAnotherPeersKeyIsDropped() throws Exception {
    HostConfig config = HostConfig.builder().ioThreads(1).build();
    try (Host a = Host.create(config, IdentityKey.generate());
        Host b = Host.create(config, IdentityKey.generate())) {
      Multiaddr aAddr = a.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
      Connection c = b.dial(aAddr.withPeerId(a.peerId())).get(10, TimeUnit.SECONDS);
      b.identified(c).get(10, TimeUnit.SECONDS);
      a.identified(a.connections(b.peerId()).get(0)).get(10, TimeUnit.SECONDS);
      // b pushes a message claiming a third peer's key and a protocol list without identify
      Identify liar =
          new Identify(
              new Identify.Local(
                  IdentityKey.generate().publicKeyProtobuf(),
                  "ipfs/0.1.0",
                  "liar",
                  List::of,
                  () -> List.of("/only/this/1.0.0")));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> liar.push(c, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("reset");
      assertThat(protocolsOf(a, b.peerId())).contains(Identify.PROTOCOL.value());
    }
  }

  static List<String> protocolsOf(Host h, PeerId p) {
    return h.peerStore().get(p).orElseThrow().protocols();
  }
}
