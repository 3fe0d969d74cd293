package org.chorus.dht.kad.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.ClosestPeersIter.PeerState;
import org.chorus.dht.kad.query.ClosestPeersIter.State;
import org.chorus.dht.kad.query.ClosestPeersIter.Termination;
import org.chorus.dht.kad.routing.RoutingTable;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClosestPeersIterTest {

  private final Random rnd = new Random(5);
  private final Map<PeerId, KadKey> keys = new HashMap<>();
  private final Function<PeerId, KadKey> keyOf = p -> keys.computeIfAbsent(p, KadKey::of);
  private final KadKey target = KadKey.of(KadTestPeers.randomPeer(rnd));

  private List<PeerId> peers(int n) {
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KadTestPeers.randomPeer(rnd));
    }
    return out;
  }

  private List<PeerId> sortedByDistance(List<PeerId> ps) {
    return ps.stream()
        .sorted(Comparator.comparing((PeerId p) -> keyOf.apply(p).distance(target)))
        .toList();
  }

  private ClosestPeersIter iter(List<PeerId> seeds, int k, int alpha, int stopAfter) {
    return new ClosestPeersIter(target, seeds, k, alpha, stopAfter, 10_000, 60_000, keyOf);
  }

  @Test
  void contactsAtMostAlphaClosestFirst() {
    List<PeerId> seeds = sortedByDistance(peers(15));
    ClosestPeersIter it = iter(seeds, 20, 3, 20);
    assertThat(it.next(0)).containsExactlyElementsOf(seeds.subList(0, 3));
    assertThat(it.next(1)).isEmpty();
    assertThat(it.inFlight()).isEqualTo(3);
    it.onSuccess(seeds.get(1), List.of());
    assertThat(it.next(2)).containsExactly(seeds.get(3));
  }

  @Test
  void closerPeersAreContactedNextWithHopCounts() {
    List<PeerId> all = sortedByDistance(peers(10));
    List<PeerId> seeds = all.subList(5, 10);
    ClosestPeersIter it = iter(seeds, 20, 1, 20);
    assertThat(it.next(0)).containsExactly(all.get(5));
    it.onSuccess(all.get(5), List.of(all.get(0), all.get(1)));
    assertThat(it.hops(all.get(0))).hasValue(2);
    assertThat(it.next(1)).containsExactly(all.get(0));
    it.onSuccess(all.get(0), List.of(all.get(1)));
    assertThat(it.hops(all.get(1))).hasValue(2);
    assertThat(it.hops(all.get(5))).hasValue(1);
  }

  @Test
  void timedOutRequestFreesItsSlotAndALateAnswerStillCounts() {
    List<PeerId> seeds = sortedByDistance(peers(3));
    ClosestPeersIter it = iter(seeds, 20, 1, 20);
    assertThat(it.next(0)).containsExactly(seeds.get(0));
    assertThat(it.nextTimeoutMillis()).isEqualTo(10_000);
    assertThat(it.next(9_999)).isEmpty();
    assertThat(it.next(10_000)).containsExactly(seeds.get(1));
    assertThat(it.peerState(seeds.get(0))).isEqualTo(PeerState.UNRESPONSIVE);
    assertThat(it.timeouts()).isEqualTo(1);
    it.onSuccess(seeds.get(0), List.of());
    assertThat(it.peerState(seeds.get(0))).isEqualTo(PeerState.SUCCEEDED);
    assertThat(it.inFlight()).isEqualTo(1);
  }

  @Test
  void kClosestTerminationWaitsForAllOfThem() {
    List<PeerId> seeds = sortedByDistance(peers(6));
    ClosestPeersIter it = iter(seeds, 4, 10, 4);
    assertThat(it.next(0)).containsExactlyElementsOf(seeds.subList(0, 4));
    for (int i = 3; i >= 1; i--) {
      it.onSuccess(seeds.get(i), List.of());
      assertThat(it.next(1)).isEmpty();
      assertThat(it.isFinished()).isFalse();
    }
    it.onFailure(seeds.get(0));
    assertThat(it.next(2)).containsExactly(seeds.get(4)); // the 4th live peer now
    it.onSuccess(seeds.get(4), List.of());
    assertThat(it.next(3)).isEmpty();
    assertThat(it.state()).isEqualTo(State.SUCCEEDED);
    assertThat(it.closestSucceeded(10))
        .containsExactly(seeds.get(1), seeds.get(2), seeds.get(3), seeds.get(4));
  }

  @Test
  void betaTerminationStopsOnceTheBetaClosestAnswered() {
    List<PeerId> seeds = sortedByDistance(peers(10));
    ClosestPeersIter it = iter(seeds, 20, 10, 3);
    assertThat(it.next(0)).hasSize(10);
    it.onSuccess(seeds.get(0), List.of());
    it.onSuccess(seeds.get(2), List.of());
    it.next(1);
    assertThat(it.isFinished()).isFalse();
    it.onSuccess(seeds.get(1), List.of());
    it.next(2);
    assertThat(it.state()).isEqualTo(State.SUCCEEDED);
    assertThat(it.requests()).isEqualTo(10);
  }

  @Test
  void allFailingExhaustsAndDeadlineTimesOut() {
    List<PeerId> seeds = peers(2);
    ClosestPeersIter it = iter(seeds, 20, 10, 3);
    it.next(0).forEach(it::onFailure);
    assertThat(it.next(1)).isEmpty();
    assertThat(it.state()).isEqualTo(State.EXHAUSTED);

    ClosestPeersIter slow = iter(peers(2), 20, 10, 3);
    slow.next(0);
    assertThat(slow.next(60_000)).isEmpty();
    assertThat(slow.state()).isEqualTo(State.TIMED_OUT);

    ClosestPeersIter stopped = iter(peers(2), 20, 10, 3);
    stopped.next(0);
    stopped.stop();
    assertThat(stopped.state()).isEqualTo(State.STOPPED);
    assertThat(stopped.next(1)).isEmpty();
  }

  @Test
  void trackedPeersAreBounded() {
    ClosestPeersIter it = iter(peers(1), 20, 1, 20);
    PeerId seed = it.next(0).get(0);
    for (int i = 0; i < 50; i++) {
      it.onSuccess(seed, peers(20));
    }
    ClosestPeersIter it2 = iter(peers(ClosestPeersIter.MAX_TRACKED_FACTOR * 20 + 50), 20, 1, 20);
    assertThat(it2.tracked()).isEqualTo(ClosestPeersIter.MAX_TRACKED_FACTOR * 20);
  }

  @Test
  void resultSummarisesAFinishedLookup() {
    List<PeerId> seeds = sortedByDistance(peers(3));
    ClosestPeersIter it = iter(seeds, 3, 3, 2);
    it.next(0);
    it.onSuccess(seeds.get(2), List.of());
    it.onFailure(seeds.get(0));
    it.onSuccess(seeds.get(1), List.of());
    it.next(1);
    QueryResult r = QueryResult.of(it, 20);
    assertThat(r.state()).isEqualTo(State.SUCCEEDED);
    assertThat(r.closest()).containsExactly(seeds.get(1), seeds.get(2));
    assertThat(r.requests()).isEqualTo(3);
    assertThat(r.failures()).isEqualTo(1);
    assertThat(r.timeouts()).isZero();
  }

  @Test
  void atMostKCloserPeersAreTakenFromOneAnswer() {
    ClosestPeersIter it = iter(peers(1), 20, 1, 20);
    PeerId seed = it.next(0).get(0);
    it.onSuccess(seed, peers(21));
    assertThat(it.tracked()).isEqualTo(1 + 20);
  }

  @Test
  void ignoresAnswersFromUnknownOrUncontactedPeers() {
    List<PeerId> seeds = peers(3);
    ClosestPeersIter it = iter(seeds, 20, 1, 20);
    it.onSuccess(KadTestPeers.randomPeer(rnd), peers(5));
    it.onSuccess(seeds.get(0), peers(5));
    it.onFailure(seeds.get(1));
    assertThat(it.tracked()).isEqualTo(3);
    assertThat(it.successes() + it.failures()).isZero();
  }

  /**
   * Property: on a static network where every node knows every other node (real routing tables
   * large enough to hold all), a k-closest lookup from any node finds exactly the true k closest.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void kClosestLookupFindsTheTrueClosest(long seed) {
    Random r = new Random(seed);
    boolean failing = seed % 2 == 0;
    KadConfig config = KadConfig.builder().diversity(KadConfig.Diversity.disabled()).build();
    List<PeerId> nodes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      nodes.add(KadTestPeers.randomPeer(r));
    }
    Map<PeerId, RoutingTable> tables = new HashMap<>();
    for (PeerId n : nodes) {
      // k = 256 buckets hold every node: each answer is the true closest set
      RoutingTable t = new RoutingTable(keyOf.apply(n), config.toBuilder().k(256).build(), keyOf);
      for (PeerId m : nodes) {
        t.add(m, keyOf.apply(m), List.of(), 0);
      }
      tables.put(n, t);
    }
    KadKey tgt = KadKey.of(KadTestPeers.randomPeer(r));
    PeerId origin = nodes.get(r.nextInt(nodes.size()));
    ClosestPeersIter it =
        ClosestPeersIter.start(
            tgt, tables.get(origin).closest(tgt, 20), config, Termination.K_CLOSEST, 0, keyOf);
    long now = 0;
    while (!it.isFinished()) {
      for (PeerId p : it.next(now)) {
        if (failing && r.nextInt(10) == 0) {
          it.onFailure(p);
        } else {
          // the runner drops the local peer from answers, as a real node must
          it.onSuccess(
              p, tables.get(p).closest(tgt, 21).stream().filter(q -> !q.equals(origin)).toList());
        }
      }
      now++;
    }
    assertThat(it.state()).isEqualTo(State.SUCCEEDED);
    // Without failures the lookup finds exactly the true k closest. With failures, a node ranked
    // beyond what any answer lists (k per answer) cannot be learned, so the check is: the result
    // is the k closest of all non-failed peers the lookup heard of, i.e. none was skipped.
    List<PeerId> truth =
        nodes.stream()
            .filter(p -> !p.equals(origin))
            .filter(p -> failing ? it.peerState(p) != null : true)
            .filter(p -> it.peerState(p) != PeerState.FAILED)
            .sorted(Comparator.comparing((PeerId p) -> keyOf.apply(p).distance(tgt)))
            .limit(20)
            .toList();
    assertThat(it.closestSucceeded(20)).containsExactlyElementsOf(truth);
  }
}
