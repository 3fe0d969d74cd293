package org.chorus.dht.kad.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.ClosestPeersIter.State;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.testing.ManualQueryTimer;
import org.junit.jupiter.api.Test;

class AsyncQueryRunnerTest {

  private final Random rnd = new Random(9);
  private final Map<PeerId, KadKey> keys = new HashMap<>();
  private final Function<PeerId, KadKey> keyOf = p -> keys.computeIfAbsent(p, KadKey::of);
  private final KadKey target = KadKey.of(KadTestPeers.randomPeer(rnd));
  private final ManualQueryTimer timer = new ManualQueryTimer();
  private final Map<PeerId, CompletableFuture<PeerResponse>> pending = new HashMap<>();
  private final PeerRequester manual =
      peer -> pending.computeIfAbsent(peer, p -> new CompletableFuture<>());

  private List<PeerId> peers(int n) {
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KadTestPeers.randomPeer(rnd));
    }
    return out;
  }

  private ClosestPeersIter iter(List<PeerId> seeds, int alpha, long deadline) {
    return new ClosestPeersIter(target, seeds, 20, alpha, 3, 10_000, deadline, keyOf);
  }

  @Test
  void keepsAtMostAlphaInFlightAndSucceeds() {
    AsyncQueryRunner runner = new AsyncQueryRunner(timer, 20);
    List<PeerId> seeds = peers(10);
    CompletionStage<QueryResult> done = runner.run(iter(seeds, 3, 60_000), manual);
    assertThat(pending).hasSize(3);
    for (int round = 0; round < 10 && !done.toCompletableFuture().isDone(); round++) {
      for (CompletableFuture<PeerResponse> f : new ArrayList<>(pending.values())) {
        f.complete(PeerResponse.closer(List.of()));
      }
    }
    QueryResult r = done.toCompletableFuture().join();
    assertThat(r.state()).isEqualTo(State.SUCCEEDED);
    assertThat(r.closest()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(runner.running()).isZero();
  }

  @Test
  void timesOutRequestsThatNeverAnswerAndTheWholeQuery() {
    AsyncQueryRunner runner = new AsyncQueryRunner(timer, 20);
    List<PeerId> seeds = peers(4);
    CompletableFuture<QueryResult> done =
        runner.run(iter(seeds, 2, 15_000), manual).toCompletableFuture();
    assertThat(pending).hasSize(2);
    timer.advance(10_000);
    assertThat(pending).hasSize(4); // the two silent ones timed out, the next two asked
    timer.advance(5_000);
    QueryResult r = done.join();
    assertThat(r.state()).isEqualTo(State.TIMED_OUT);
    assertThat(r.timeouts()).isEqualTo(2);
  }

  @Test
  void failuresAndGoalReached() {
    AsyncQueryRunner runner = new AsyncQueryRunner(timer, 20);
    List<PeerId> seeds = peers(5);
    CompletableFuture<QueryResult> done =
        runner.run(iter(seeds, 5, 60_000), manual).toCompletableFuture();
    List<PeerId> asked = new ArrayList<>(pending.keySet());
    pending.get(asked.get(0)).completeExceptionally(new RuntimeException("reset"));
    pending.get(asked.get(1)).complete(new PeerResponse(List.of(), true));
    QueryResult r = done.join();
    assertThat(r.state()).isEqualTo(State.STOPPED);
    assertThat(r.failures()).isEqualTo(1);
  }

  @Test
  void rejectsOverTheCapAndCancellationFreesTheSlot() {
    AsyncQueryRunner runner = new AsyncQueryRunner(timer, 20, 1);
    CompletableFuture<QueryResult> first =
        runner.run(iter(peers(3), 3, 60_000), manual).toCompletableFuture();
    CompletableFuture<QueryResult> second =
        runner.run(iter(peers(3), 3, 60_000), manual).toCompletableFuture();
    assertThat(second).isCompletedExceptionally();
    assertThat(second.handle((r, e) -> e).join()).isInstanceOf(RejectedExecutionException.class);
    assertThat(runner.rejected()).isEqualTo(1);
    first.cancel(false);
    assertThat(runner.running()).isZero();
    assertThat(runner.run(iter(List.of(), 3, 60_000), manual).toCompletableFuture().join().state())
        .isEqualTo(State.EXHAUSTED);
  }

  @Test
  void learnsCloserPeersFromAnswers() {
    AsyncQueryRunner runner = new AsyncQueryRunner(timer, 20);
    List<PeerId> seeds = peers(1);
    List<PeerId> learned = peers(5);
    CompletableFuture<QueryResult> done =
        runner.run(iter(seeds, 10, 60_000), manual).toCompletableFuture();
    pending.get(seeds.get(0)).complete(PeerResponse.closer(learned));
    assertThat(pending).hasSize(6);
    for (PeerId p : learned) {
      pending.get(p).complete(PeerResponse.closer(List.of()));
    }
    List<PeerId> all = new ArrayList<>(learned);
    all.addAll(seeds);
    all.sort((a, b) -> target.compareDistance(keyOf.apply(a), keyOf.apply(b)));
    QueryResult r = done.join();
    assertThat(r.state()).isEqualTo(State.SUCCEEDED);
    assertThat(r.closest()).startsWith(all.get(0), all.get(1), all.get(2));
  }
}
