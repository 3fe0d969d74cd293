package org.chorus.dht.kad.routing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
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

/**
 * Jazzer fuzz target over routing-table operation sequences: the fuzzer picks the config (k,
 * replacement cache, diversity caps), the operations, the peers (from a small universe that
 * includes the local peer, so collisions and self-adds happen) and their IPv4 addresses; after the
 * sequence every invariant of {@link RoutingTableInvariants} must hold (no bucket over k, closest()
 * equal to a brute-force XOR sort, diversity caps, local key absent). Runs its seed inputs in
 * regression mode; {@code JAZZER_FUZZ=1 ./mvnw test -Dtest=RoutingTableFuzzTest} fuzzes.
 */
@org.junit.jupiter.api.Tag("fuzz")
class RoutingTableFuzzTest {

  private static final int UNIVERSE = 64;
  private static final List<PeerId> PEERS = new ArrayList<>();

  static {
    Random rnd = new Random(99);
    for (int i = 0; i < UNIVERSE; i++) {
      PEERS.add(KadTestPeers.randomPeer(rnd));
    }
  }

  @FuzzTest(maxDuration = "30s")
  void operationsKeepTheInvariants(FuzzedDataProvider data) {
    KadConfig config =
        KadConfig.builder()
            .k(data.consumeInt(1, 8))
            .beta(1)
            .replacementCacheSize(data.consumeInt(0, 4))
            .diversity(
                new KadConfig.Diversity(
                    data.consumeBoolean(),
                    data.consumeInt(1, 3),
                    data.consumeInt(1, 4),
                    data.consumeBoolean()))
            .build();
    PeerId local = PEERS.get(0);
    RoutingTable table = new RoutingTable(local, config);
    Map<PeerId, List<Multiaddr>> addrs = new HashMap<>();
    long now = 0;
    int steps = 0;
    while (data.remainingBytes() > 0 && steps++ < 500) {
      now += data.consumeInt(0, 20_000);
      PeerId p = PEERS.get(data.consumeInt(0, UNIVERSE - 1));
      switch (data.consumeInt(0, 4)) {
        case 0 -> {
          List<Multiaddr> a =
              KadTestPeers.ip4(
                  data.pickValue(new int[] {8, 10, 127, 192}), data.consumeInt(0, 3), 1, 1);
          if (!table.contains(p)) {
            addrs.put(p, a);
          }
          table.add(p, a, now);
        }
        case 1 -> table.remove(p);
        case 2 -> table.markSeen(p, now);
        case 3 -> table.onProbeResult(p, data.consumeBoolean(), now);
        default -> table.closest(KadKey.of(p), data.consumeInt(0, 30));
      }
    }
    List<KadKey> targets = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      targets.add(KadKey.of(PEERS.get(i * 7)));
    }
    RoutingTableInvariants.check(table, config, local, addrs, targets);
  }
}
