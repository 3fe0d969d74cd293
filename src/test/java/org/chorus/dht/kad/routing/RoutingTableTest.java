package org.chorus.dht.kad.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

  private final Random rnd = new Random(42);
  private final PeerId local = KadTestPeers.randomPeer(rnd);
  private final KadConfig config = KadConfig.defaults();
  private final RoutingTable table = new RoutingTable(local, config);

  /** Random peers whose key falls into bucket {@code cpl} of {@link #local}. */
  private List<PeerId> peersInBucket(int cpl, int count) {
    KadKey localKey = KadKey.of(local);
    List<PeerId> out = new ArrayList<>();
    while (out.size() < count) {
      PeerId p = KadTestPeers.randomPeer(rnd);
      if (localKey.commonPrefixLength(KadKey.of(p)) == cpl) {
        out.add(p);
      }
    }
    return out;
  }

  private static List<Multiaddr> priv(int i) {
    return KadTestPeers.ip4(10, 0, i / 256, i % 256);
  }

  @Test
  void localPeerIsRejected() {
    assertThat(table.add(local, priv(1), 0).outcome()).isEqualTo(AddResult.Outcome.REJECTED_SELF);
    assertThat(table.size()).isZero();
  }

  @Test
  void addThenUpdateMovesToMostRecentlySeen() {
    List<PeerId> ps = peersInBucket(0, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(table.add(ps.get(i), priv(i), i).outcome()).isEqualTo(AddResult.Outcome.ADDED);
    }
    assertThat(table.add(ps.get(0), priv(0), 10).outcome()).isEqualTo(AddResult.Outcome.UPDATED);
    assertThat(table.bucket(0)).containsExactly(ps.get(1), ps.get(2), ps.get(0));
    assertThat(table.markSeen(ps.get(1), 11)).isTrue();
    assertThat(table.bucket(0)).containsExactly(ps.get(2), ps.get(0), ps.get(1));
    assertThat(table.stats().perBucket()).containsEntry(0, 3);
  }

  @Test
  void fullBucketProbesLeastRecentlySeenAndEvictsItWhenDead() {
    List<PeerId> ps = peersInBucket(1, 22);
    for (int i = 0; i < 20; i++) {
      table.add(ps.get(i), priv(i), i);
    }
    AddResult r = table.add(ps.get(20), priv(20), 100);
    assertThat(r.outcome()).isEqualTo(AddResult.Outcome.PENDING);
    assertThat(r.probeTarget()).contains(ps.get(0));
    // a second candidate while the probe is in flight does not probe again
    AddResult r2 = table.add(ps.get(21), priv(21), 101);
    assertThat(r2.outcome()).isEqualTo(AddResult.Outcome.PENDING);
    assertThat(r2.probeTarget()).isEmpty();
    assertThat(table.stats().replacements()).isEqualTo(2);

    assertThat(table.onProbeResult(ps.get(0), false, 102)).contains(ps.get(21));
    assertThat(table.contains(ps.get(0))).isFalse();
    assertThat(table.contains(ps.get(21))).isTrue();
    assertThat(table.bucket(1)).hasSize(20);
    // the next candidate probes the new least-recently-seen entry
    assertThat(table.add(KadTestPeers.randomPeer(rnd), priv(99), 103).probeTarget()).isEmpty();
  }

  @Test
  void liveProbeKeepsTheEntryAndLostProbeIsRetriedAfterTheRpcTimeout() {
    List<PeerId> ps = peersInBucket(2, 22);
    for (int i = 0; i < 20; i++) {
      table.add(ps.get(i), priv(i), i);
    }
    assertThat(table.add(ps.get(20), priv(20), 100).probeTarget()).contains(ps.get(0));
    assertThat(table.onProbeResult(ps.get(0), true, 150)).isEmpty();
    assertThat(table.bucket(2)).endsWith(ps.get(0)).doesNotContain(ps.get(20));
    assertThat(table.add(ps.get(21), priv(21), 200).probeTarget()).contains(ps.get(1));
    long timeout = config.rpcTimeout().toMillis();
    assertThat(table.add(ps.get(20), priv(20), 200 + timeout - 1).probeTarget()).isEmpty();
    assertThat(table.add(ps.get(20), priv(20), 200 + timeout).probeTarget()).contains(ps.get(1));
  }

  @Test
  void removePromotesTheFreshestReplacement() {
    List<PeerId> ps = peersInBucket(0, 23);
    for (int i = 0; i < 23; i++) {
      table.add(ps.get(i), priv(i), i);
    }
    assertThat(table.remove(ps.get(5))).isTrue();
    assertThat(table.contains(ps.get(22))).isTrue();
    assertThat(table.remove(ps.get(21))).isTrue(); // a replacement
    assertThat(table.remove(ps.get(5))).isFalse();
    assertThat(table.size()).isEqualTo(20);
    assertThat(table.stats().replacements()).isEqualTo(1);
  }

  @Test
  void diversityCapsPublicSlash16GroupsButNotPrivateRanges() {
    List<PeerId> ps = peersInBucket(0, 6);
    assertThat(table.add(ps.get(0), KadTestPeers.ip4(8, 8, 1, 1), 0).inTable()).isTrue();
    assertThat(table.add(ps.get(1), KadTestPeers.ip4(8, 8, 2, 2), 0).inTable()).isTrue();
    assertThat(table.add(ps.get(2), KadTestPeers.ip4(8, 8, 3, 3), 0).outcome())
        .isEqualTo(AddResult.Outcome.REJECTED_DIVERSITY);
    assertThat(table.add(ps.get(3), KadTestPeers.ip4(8, 9, 3, 3), 0).inTable()).isTrue();
    assertThat(table.add(ps.get(4), KadTestPeers.ip4(127, 0, 0, 1), 0).inTable()).isTrue();
    assertThat(table.add(ps.get(5), KadTestPeers.ip4(192, 168, 0, 1), 0).inTable()).isTrue();
    // table-wide cap of 3: a third 8.8/16 peer in another bucket passes, a fourth does not
    List<PeerId> other = peersInBucket(1, 2);
    assertThat(table.add(other.get(0), KadTestPeers.ip4(8, 8, 4, 4), 0).inTable()).isTrue();
    List<PeerId> third = peersInBucket(2, 1);
    assertThat(table.add(third.get(0), KadTestPeers.ip4(8, 8, 5, 5), 0).outcome())
        .isEqualTo(AddResult.Outcome.REJECTED_DIVERSITY);
    assertThat(table.diversityCount(8 << 8 | 8)).isEqualTo(3);
    // removing frees the slot
    table.remove(ps.get(0));
    assertThat(table.add(third.get(0), KadTestPeers.ip4(8, 8, 5, 5), 0).inTable()).isTrue();
  }

  @Test
  void aDiversityRejectionDropsTheCandidatesOlderSighting() {
    KadConfig strict =
        KadConfig.builder()
            .k(1)
            .beta(1)
            .diversity(new KadConfig.Diversity(true, 1, 1, true))
            .build();
    RoutingTable t = new RoutingTable(local, strict);
    List<PeerId> ps = peersInBucket(0, 2);
    PeerId other = peersInBucket(1, 1).get(0);
    t.add(other, KadTestPeers.ip4(7, 7, 1, 1), 0);
    t.add(ps.get(0), KadTestPeers.ip4(8, 8, 1, 1), 0);
    assertThat(t.add(ps.get(1), KadTestPeers.ip4(7, 7, 2, 2), 1).outcome())
        .isEqualTo(AddResult.Outcome.PENDING);
    assertThat(t.remove(ps.get(0))).isTrue(); // 7.7/16 is at its table cap: no promotion
    assertThat(t.bucket(0)).isEmpty();
    assertThat(t.stats().replacements()).isEqualTo(1);
    assertThat(t.add(ps.get(1), KadTestPeers.ip4(7, 7, 3, 3), 2).outcome())
        .isEqualTo(AddResult.Outcome.REJECTED_DIVERSITY);
    assertThat(t.stats().replacements()).isZero();
  }

  @Test
  void diversityCanBeDisabled() {
    RoutingTable open =
        new RoutingTable(
            local, KadConfig.builder().diversity(KadConfig.Diversity.disabled()).build());
    for (PeerId p : peersInBucket(0, 10)) {
      assertThat(open.add(p, KadTestPeers.ip4(8, 8, 1, 1), 0).inTable()).isTrue();
    }
  }

  @Test
  void closestIsSortedByXorDistance() {
    for (int i = 0; i < 500; i++) {
      table.add(KadTestPeers.randomPeer(rnd), priv(i), i);
    }
    List<KadKey> targets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      targets.add(KadKey.of(KadTestPeers.randomPeer(rnd)));
    }
    targets.add(KadKey.of(local));
    targets.add(KadKey.of(table.peers().get(0)));
    RoutingTableInvariants.check(table, config, local, java.util.Map.of(), targets);
    assertThat(table.closest(targets.get(0), 0)).isEmpty();
    assertThat(table.closest(targets.get(0), -1)).isEmpty();
  }

  @Test
  void bucketsDueForRefreshFollowTheInterval() {
    for (PeerId p : peersInBucket(3, 1)) {
      table.add(p, priv(1), 0);
    }
    assertThat(table.bucketsDueForRefresh(0, 600_000)).containsExactly(0, 1, 2, 3);
    table.markRefreshed(1, 0);
    assertThat(table.bucketsDueForRefresh(1000, 600_000)).containsExactly(0, 2, 3);
    assertThat(table.bucketsDueForRefresh(600_000, 600_000)).containsExactly(0, 1, 2, 3);
  }
}
