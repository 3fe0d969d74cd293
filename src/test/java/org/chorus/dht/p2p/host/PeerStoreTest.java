package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;

class PeerStoreTest {
  static final Multiaddr ADDR = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");

  @Test
  void peerCapPlusOneEvictsTheLeastRecentlySeen() {
    SteppingClock clock = new SteppingClock();
    PeerStore store = new PeerStore(2, clock);
    PeerId a = IdentityKey.generate().peerId();
    PeerId b = IdentityKey.generate().peerId();
    PeerId c = IdentityKey.generate().peerId();
    store.addAddrs(a, List.of(ADDR));
    clock.advance(Duration.ofSeconds(1));
    store.addAddrs(b, List.of(ADDR));
    clock.advance(Duration.ofSeconds(1));
    store.touch(a); // a seen after b
    store.addAddrs(c, List.of(ADDR)); // cap + 1: b goes
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.evicted()).isEqualTo(1);
    assertThat(store.peers()).containsExactlyInAnyOrder(a, c);
    store.addAddrs(a, List.of(Multiaddr.parse("/ip4/1.2.3.5/tcp/1"))); // known peers still update
    assertThat(store.get(a).orElseThrow().addrs()).hasSize(2);
  }

  @Test
  void retainedPeersAreNotEvicted() {
    PeerStore store = new PeerStore(2, new SteppingClock());
    PeerId a = IdentityKey.generate().peerId();
    PeerId b = IdentityKey.generate().peerId();
    PeerId c = IdentityKey.generate().peerId();
    store.addAddrs(a, List.of(ADDR));
    store.addAddrs(b, List.of(ADDR));
    store.setRetention(a::equals); // a is connected
    store.addAddrs(c, List.of(ADDR));
    assertThat(store.peers()).containsExactlyInAnyOrder(a, c);
    store.setRetention(p -> true); // everyone retained: the newcomer is left out
    store.addAddrs(b, List.of(ADDR));
    assertThat(store.peers()).containsExactlyInAnyOrder(a, c);
    assertThat(store.evicted()).isEqualTo(2);
  }

  @Test
  void collectDropsEntriesNotSeenWithinTheTtlButKeepsRetainedOnes() {
    SteppingClock clock = new SteppingClock();
    PeerStore store = new PeerStore(100, clock);
    PeerId old = IdentityKey.generate().peerId();
    PeerId connected = IdentityKey.generate().peerId();
    PeerId recent = IdentityKey.generate().peerId();
    store.addAddrs(old, List.of(ADDR));
    store.addAddrs(connected, List.of(ADDR));
    store.setRetention(connected::equals);
    clock.advance(Duration.ofMinutes(59));
    store.addAddrs(recent, List.of(ADDR));
    assertThat(store.collect(Duration.ofHours(1))).isZero(); // nobody an hour old yet
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.collect(Duration.ofHours(1))).isEqualTo(1);
    assertThat(store.peers()).containsExactlyInAnyOrder(connected, recent);
    assertThat(store.expired()).isEqualTo(1);
    clock.advance(Duration.ofHours(2));
    store.setRetention(p -> false);
    assertThat(store.collect(Duration.ofHours(1))).isEqualTo(2);
    assertThat(store.size()).isZero();
  }

  @Test
  void aFullStoreKeepsTakingNewPeers() {
    SteppingClock clock = new SteppingClock();
    PeerStore store = new PeerStore(100, clock);
    PeerId last = null;
    for (int i = 0; i < 1_000; i++) {
      last = IdentityKey.generate().peerId();
      store.addAddrs(last, List.of(ADDR));
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(store.size()).isEqualTo(100);
    assertThat(store.evicted()).isEqualTo(900);
    assertThat(store.get(last)).isPresent();
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
