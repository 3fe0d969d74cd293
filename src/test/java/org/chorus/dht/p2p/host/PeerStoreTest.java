package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class PeerStoreTest {
  @Test
  void peerCapPlusOneIsDroppedAndCounted() {
    PeerStore store = new PeerStore(2);
    PeerId a = IdentityKey.generate().peerId();
    PeerId b = IdentityKey.generate().peerId();
    PeerId c = IdentityKey.generate().peerId();
    Multiaddr addr = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
    store.addAddrs(a, List.of(addr));
    store.addAddrs(b, List.of(addr));
    store.addAddrs(c, List.of(addr));
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.dropped()).isEqualTo(1);
    store.addAddrs(a, List.of(Multiaddr.parse("/ip4/1.2.3.5/tcp/1"))); // known peers still update
    assertThat(store.get(a).orElseThrow().addrs()).hasSize(2);
  }

  @Test
  void addressAndProtocolCapsHold() {
    PeerStore store = new PeerStore(10);
    PeerId a = IdentityKey.generate().peerId();
    List<Multiaddr> many = new ArrayList<>();
    for (int i = 0; i <= PeerStore.MAX_ADDRS; i++) {
      many.add(Multiaddr.parse("/ip4/10.0.0.1/tcp/" + (1000 + i) + "/p2p/" + a));
    }
    List<String> protocols = new ArrayList<>();
    for (int i = 0; i <= PeerStore.MAX_PROTOCOLS; i++) {
      protocols.add("/p/" + i);
    }
    store.identified(a, new byte[] {1}, "agent", "ipfs/0.1.0", protocols, many);
    PeerStore.PeerInfo info = store.get(a).orElseThrow();
    assertThat(info.addrs()).hasSize(PeerStore.MAX_ADDRS);
    assertThat(info.addrs().get(0).peerId()).isEmpty(); // stored without /p2p
    assertThat(info.protocols()).hasSize(PeerStore.MAX_PROTOCOLS);
    assertThat(info.agentVersion()).isEqualTo("agent");
  }
}
