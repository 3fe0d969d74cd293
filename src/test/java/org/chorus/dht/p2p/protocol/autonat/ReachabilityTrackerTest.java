package org.chorus.dht.p2p.protocol.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chorus.dht.p2p.protocol.autonat.ReachabilityTracker.Observation.DIALLED;
import static org.chorus.dht.p2p.protocol.autonat.ReachabilityTracker.Observation.NOT_DIALLED;
import static org.chorus.dht.p2p.protocol.autonat.ReachabilityTracker.Observation.NO_INFORMATION;

import org.junit.jupiter.api.Test;

class ReachabilityTrackerTest {
  @Test
  void threeAgreeingAnswersDecideInALargerNetwork() {
    ReachabilityTracker t = new ReachabilityTracker(3);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.UNKNOWN);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.UNKNOWN);
    assertThat(t.confirmed()).isFalse();
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.PRIVATE);
    assertThat(t.confirmed()).isTrue();
  }

  @Test
  void oneStrayAnswerNeverFlipsASettledStatus() {
    ReachabilityTracker t = new ReachabilityTracker(3);
    for (int i = 0; i < 3; i++) {
      t.record(DIALLED, 10);
    }
    assertThat(t.status()).isEqualTo(Reachability.PUBLIC);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.PUBLIC);
    assertThat(t.confirmed()).isFalse();
    assertThat(t.record(DIALLED, 10)).isEqualTo(Reachability.PUBLIC);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.PUBLIC);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.PUBLIC);
    assertThat(t.record(NOT_DIALLED, 10)).isEqualTo(Reachability.PRIVATE);
  }

  @Test
  void answersWithoutInformationAreIgnored() {
    ReachabilityTracker t = new ReachabilityTracker(2);
    t.record(DIALLED, 5);
    t.record(NO_INFORMATION, 5);
    assertThat(t.record(DIALLED, 5)).isEqualTo(Reachability.PUBLIC);
    assertThat(ReachabilityTracker.observationOf(AutoNatMessage.Status.E_DIAL_REFUSED))
        .isEqualTo(NO_INFORMATION);
    assertThat(ReachabilityTracker.observationOf(AutoNatMessage.Status.E_BAD_REQUEST))
        .isEqualTo(NO_INFORMATION);
    assertThat(ReachabilityTracker.observationOf(AutoNatMessage.Status.E_DIAL_ERROR))
        .isEqualTo(NOT_DIALLED);
    assertThat(ReachabilityTracker.observationOf(AutoNatMessage.Status.OK)).isEqualTo(DIALLED);
  }

  @Test
  void aSmallClusterNeedsFewerAnswers() {
    ReachabilityTracker two = new ReachabilityTracker(3);
    assertThat(two.record(NOT_DIALLED, 1)).isEqualTo(Reachability.PRIVATE);
    assertThat(two.record(DIALLED, 1)).isEqualTo(Reachability.PUBLIC);
    ReachabilityTracker three = new ReachabilityTracker(3);
    assertThat(three.record(DIALLED, 2)).isEqualTo(Reachability.UNKNOWN);
    assertThat(three.record(DIALLED, 2)).isEqualTo(Reachability.PUBLIC);
  }
}
