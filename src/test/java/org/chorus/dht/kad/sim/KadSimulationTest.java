package org.chorus.dht.kad.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The 1,000-node simulation (seconds): every GET succeeds with 0 % and 10 % of the nodes failed,
 * more than 99 % with 30 %, the median lookup takes at most 4 hops, and GetClosestPeers finds more
 * than 95 % of the true k closest live nodes. The 10,000-node run is {@link KadSimulation#main}
 * ({@code bench/kad-sim.sh}).
 */
@Tag("simulation")
class KadSimulationTest {

  @Test
  void thousandNodesMeetTheLookupTargets() {
    List<KadSimulation.Row> rows = KadSimulation.run(1000, 300, 1, false);
    rows.forEach(r -> System.out.println(r.format()));
    KadSimulation.Row none = rows.get(0);
    KadSimulation.Row ten = rows.get(1);
    KadSimulation.Row thirty = rows.get(2);
    assertThat(none.successRate()).isEqualTo(1.0);
    assertThat(ten.successRate()).isEqualTo(1.0);
    assertThat(thirty.successRate()).isGreaterThan(0.99);
    for (KadSimulation.Row r : rows) {
      assertThat(r.hopsP50()).isLessThanOrEqualTo(4);
      assertThat(r.hopsP95()).isLessThanOrEqualTo(6);
      assertThat(r.closestRecall()).isGreaterThan(0.95);
    }
  }

  @Test
  void runsAreReproducibleFromTheSeed() {
    assertThat(KadSimulation.run(200, 50, 7, false))
        .isEqualTo(KadSimulation.run(200, 50, 7, false));
  }
}
