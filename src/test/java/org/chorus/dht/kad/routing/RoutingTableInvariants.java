package org.chorus.dht.kad.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/** The routing-table invariants, checked against brute force; shared by property and fuzz tests. */
final class RoutingTableInvariants {

  private RoutingTableInvariants() {}

  /**
   * @param addrs the addresses each peer was last offered with (for the diversity check)
   */
  static void check(
      RoutingTable table,
      KadConfig config,
      PeerId local,
      Map<PeerId, List<Multiaddr>> addrs,
      List<KadKey> targets) {
    KadKey localKey = table.localKey();
    List<PeerId> all = table.peers();
    assertThat(new HashSet<>(all)).hasSameSizeAs(all);
    assertThat(all).hasSize(table.size()).doesNotContain(local);
    DiversityFilter groups = new DiversityFilter(config.diversity());
    Map<Integer, Integer> perTable = new HashMap<>();
    for (int cpl = 0; cpl < KadKey.BITS; cpl++) {
      List<PeerId> bucket = table.bucket(cpl);
      assertThat(bucket.size()).as("bucket %d size", cpl).isLessThanOrEqualTo(config.k());
      Map<Integer, Integer> perBucket = new HashMap<>();
      for (PeerId p : bucket) {
        assertThat(localKey.commonPrefixLength(KadKey.of(p))).isEqualTo(cpl);
        for (int g : groups.groupsOf(addrs.getOrDefault(p, List.of()))) {
          perBucket.merge(g, 1, Integer::sum);
          perTable.merge(g, 1, Integer::sum);
        }
      }
      int bucketCap = config.diversity().maxPerGroupPerBucket();
      assertThat(perBucket.values()).allMatch(n -> n <= bucketCap);
    }
    int tableCap = config.diversity().maxPerGroupPerTable();
    assertThat(perTable.values()).allMatch(n -> n <= tableCap);
    for (KadKey t : targets) {
      for (int n : new int[] {1, config.k(), all.size() + 1}) {
        List<PeerId> expected =
            all.stream()
                .sorted(Comparator.comparing((PeerId p) -> KadKey.of(p).distance(t)))
                .limit(n)
                .toList();
        assertThat(table.closest(t, n)).isEqualTo(expected);
      }
    }
  }
}
