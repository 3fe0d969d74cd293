package org.chorus.dht.kad.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.core.Multiaddr;
import org.junit.jupiter.api.Test;

class DiversityFilterTest {

  private final DiversityFilter filter = new DiversityFilter(KadConfig.Diversity.defaults());

  private static List<Multiaddr> addrs(String... texts) {
    return java.util.Arrays.stream(texts).map(Multiaddr::parse).toList();
  }

  @Test
  void groupsArePublicIpv4Slash16sOnly() {
    assertThat(
            filter.groupsOf(
                addrs(
                    "/ip4/8.8.8.8/tcp/1",
                    "/ip4/8.8.4.4/tcp/2",
                    "/ip4/1.2.3.4/tcp/1",
                    "/ip6/::1/tcp/1",
                    "/dns4/example.com/tcp/1")))
        .containsExactly(1 << 8 | 2, 8 << 8 | 8);
    for (String exempt :
        new String[] {
          "127.0.0.1",
          "10.1.2.3",
          "172.16.0.1",
          "172.31.255.1",
          "192.168.1.1",
          "169.254.0.1",
          "100.64.0.1",
          "0.0.0.0"
        }) {
      assertThat(filter.groupsOf(addrs("/ip4/" + exempt + "/tcp/1"))).as(exempt).isEmpty();
    }
    assertThat(filter.groupsOf(addrs("/ip4/172.32.0.1/tcp/1"))).containsExactly(172 << 8 | 32);
  }

  @Test
  void privateRangesCountWhenNotExempt() {
    DiversityFilter strict = new DiversityFilter(new KadConfig.Diversity(true, 2, 3, false));
    assertThat(strict.groupsOf(addrs("/ip4/10.1.2.3/tcp/1"))).containsExactly(10 << 8 | 1);
  }

  @Test
  void capsAreCheckedPerBucketAndPerTable() {
    int[] g = {8 << 8 | 8};
    filter.add(0, g);
    filter.add(0, g);
    assertThat(filter.allows(0, g)).isFalse();
    assertThat(filter.allows(1, g)).isTrue();
    filter.add(1, g);
    assertThat(filter.allows(2, g)).isFalse();
    filter.remove(0, g);
    assertThat(filter.allows(0, g)).isTrue();
    assertThat(filter.allows(5, DiversityFilter.NO_GROUPS)).isTrue();
  }

  @Test
  void disabledFilterGroupsNothing() {
    DiversityFilter off = new DiversityFilter(KadConfig.Diversity.disabled());
    assertThat(off.groupsOf(addrs("/ip4/8.8.8.8/tcp/1"))).isEmpty();
  }
}
