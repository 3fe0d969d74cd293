package org.chorus.dht.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Refusal;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeniedPeers} over two real network nodes: a denial takes the peer out of the routing table
 * and the peer store, closes its connections, and survives a restart of the list.
 */
class DeniedPeersTest {
  @TempDir Path root;
  final List<NetworkDht> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NetworkNodes::closeQuietly);
  }

  @Test
  void aDenialEvictsClosesAndIsAppliedAgainAfterARestart() throws Exception {
    NetworkDht a = NetworkNodes.start(root.resolve("a"), IdentityKey.generate());
    nodes.add(a);
    NetworkDht b = NetworkNodes.start(root.resolve("b"), IdentityKey.generate());
    nodes.add(b);
    b.bootstrap(List.of(NetworkNodes.addr(a))).get(20, TimeUnit.SECONDS);
    PeerId bId = b.host().peerId();
    waitUntil(() -> a.dht().routingTable().contains(bId));

    DeniedPeers list = new DeniedPeers(root.resolve("a"), a, Set.of(), Clock.systemUTC());
    DeniedPeers.Outcome o = list.deny(bId, "test", "admin");
    assertThat(o.evicted()).isTrue();
    assertThat(o.closedConnections()).isGreaterThanOrEqualTo(1);
    assertThat(a.dht().routingTable().contains(bId)).isFalse();
    assertThat(a.host().peerStore().get(bId)).isEmpty();
    waitUntil(() -> a.host().connections(bId).isEmpty());
    assertThat(Files.readString(list.file())).contains(bId.toString()).contains("test");

    // another list over the same data dir (a restart) applies the saved denial
    a.host().liftDenial(bId);
    DeniedPeers reloaded = new DeniedPeers(root.resolve("a"), a, Set.of(), Clock.systemUTC());
    assertThat(reloaded.find(bId))
        .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo("test"));
    assertThat(a.host().peerAccess().refusal(bId)).isEqualTo(Refusal.DENIED);
    assertThat(reloaded.lift(bId)).isEqualTo(DeniedPeers.Lift.LIFTED);
    assertThat(a.host().peerAccess().refusal(bId)).isNull();
    b.bootstrap(List.of(NetworkNodes.addr(a))).get(20, TimeUnit.SECONDS);
  }

  @Test
  void configuredDenialsAreListedAndCannotBeLifted() throws Exception {
    PeerId p = IdentityKey.generate().peerId();
    DeniedPeers list = new DeniedPeers(root, null, Set.of(p), Clock.systemUTC());
    assertThat(list.list())
        .singleElement()
        .satisfies(e -> assertThat(e.source()).isEqualTo(DeniedPeers.Source.CONFIG));
    assertThat(list.lift(p)).isEqualTo(DeniedPeers.Lift.CONFIGURED);
    assertThat(list.lift(IdentityKey.generate().peerId())).isEqualTo(DeniedPeers.Lift.NOT_DENIED);
  }

  /** Polls a condition the nodes expose no event for, up to 20 s. */
  static void waitUntil(Callable<Boolean> cond) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(cond);
  }
}
