package org.chorus.dht.kad.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operation sequences from a seeded generator (reproducible: the seed is the test
 * parameter); after every batch the invariants of {@link RoutingTableInvariants} must hold.
 */
class RoutingTablePropertyTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void invariantsHoldUnderRandomOperations(long seed) {
    Random rnd = new Random(seed);
    KadConfig config =
        KadConfig.builder()
            .k(1 + rnd.nextInt(20))
            .beta(1)
            .replacementCacheSize(rnd.nextInt(4))
            .diversity(new KadConfig.Diversity(rnd.nextBoolean(), 2, 3, true))
            .build();
    PeerId local = KadTestPeers.randomPeer(rnd);
    RoutingTable table = new RoutingTable(local, config);
    List<PeerId> universe = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      universe.add(KadTestPeers.randomPeer(rnd));
    }
    universe.add(local);
    Map<PeerId, List<Multiaddr>> addrs = new HashMap<>();
    long now = 0;
    for (int step = 0; step < 2000; step++) {
      now += rnd.nextInt(3000);
      PeerId p = universe.get(rnd.nextInt(universe.size()));
      switch (rnd.nextInt(6)) {
        case 0, 1, 2 -> {
          List<Multiaddr> a =
              rnd.nextInt(4) == 0 ? KadTestPeers.ip4(10, 1, 2, 3) : KadTestPeers.publicIp4(rnd, 8);
          if (!table.contains(p)) {
            addrs.put(p, a);
          }
          table.add(p, a, now).probeTarget().ifPresent(t -> {});
        }
        case 3 -> table.remove(p);
        case 4 -> table.markSeen(p, now);
        default -> table.onProbeResult(p, rnd.nextBoolean(), now);
      }
      if (step % 250 == 0) {
        check(table, config, local, addrs, rnd);
      }
    }
    check(table, config, local, addrs, rnd);
  }

  private static void check(
      RoutingTable table,
      KadConfig config,
      PeerId local,
      Map<PeerId, List<Multiaddr>> addrs,
      Random rnd) {
    List<KadKey> targets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      targets.add(KadKey.of(KadTestPeers.randomPeer(rnd)));
    }
    targets.add(table.localKey());
    RoutingTableInvariants.check(table, config, local, addrs, targets);
  }
}
