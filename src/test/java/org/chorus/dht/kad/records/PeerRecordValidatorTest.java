package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chorus.dht.kad.records.PeerRecordTest.ALICE;
import static org.chorus.dht.kad.records.PeerRecordTest.KEY;
import static org.chorus.dht.kad.records.PeerRecordTest.MALLORY;
import static org.chorus.dht.kad.records.PeerRecordTest.OTHER_QA;
import static org.chorus.dht.kad.records.PeerRecordTest.QA;
import static org.chorus.dht.kad.records.PeerRecordTest.ROLE;
import static org.chorus.dht.kad.records.PeerRecordTest.T0;
import static org.chorus.dht.kad.records.PeerRecordTest.record;
import static org.chorus.dht.kad.records.PeerRecordTest.signed;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;

/** The kad validator of {@code /CHORUS/peer/}: node signature, expiry, role claim, sequence. */
class PeerRecordValidatorTest {

  final SteppingClock clock = new SteppingClock(T0.plusSeconds(1));
  final PeerRecordValidator validator =
      new PeerRecordValidator(
          clock, role -> Optional.ofNullable(Map.of(ROLE, QA.publicKey()).get(role)));

  @Test
  void acceptsARecordWhoseRoleClaimVerifiesUnderTheKnownRoleKey() {
    validator.validate(KEY, signed(ALICE, T0, 1));
  }

  @Test
  void refusesARoleClaimNotSignedByTheRolesKey() {
    byte[] wrongKey = record(T0, 1).sign(ALICE, OTHER_QA);
    assertThatThrownBy(() -> validator.validate(KEY, wrongKey))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED))
        .hasMessageContaining("role 'qa_engineer'");
  }

  @Test
  void acceptsAClaimOfARoleWhoseKeyItDoesNotKnowAndRecordsWithoutARole() {
    PeerRecordValidator knowsNoKeys = new PeerRecordValidator(clock, role -> Optional.empty());
    knowsNoKeys.validate(KEY, record(T0, 1).sign(ALICE, OTHER_QA));
    validator.validate(KEY, PeerRecord.of("a", "", List.of("go"), List.of(), T0, 1).sign(ALICE));
    byte[] otherRole =
        PeerRecord.of("a", "devops_engineer", List.of(), List.of(), T0, 1).sign(ALICE, OTHER_QA);
    validator.validate(KEY, otherRole);
  }

  @Test
  void refusesExpiredRecordsAndRecordsOfOtherPeers() {
    byte[] value = signed(ALICE, T0, 1);
    clock.set(T0.plus(PeerRecord.DEFAULT_LIFETIME));
    assertThatThrownBy(() -> validator.validate(KEY, value))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
    clock.set(T0);
    assertThatThrownBy(() -> validator.validate(KEY, signed(MALLORY, T0, 1)))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED));
  }

  @Test
  void selectsTheHighestSequenceAmongValidRecords() {
    byte[] seq1 = signed(ALICE, T0, 1);
    byte[] seq2 = signed(ALICE, T0.minusSeconds(30), 2); // older clock, higher sequence: wins
    byte[] seq2b = PeerRecord.of("b", ROLE, List.of(), List.of(), T0, 2).sign(ALICE, QA);
    byte[] forged = signed(MALLORY, T0, 99);
    byte[] badClaim = record(T0, 50).sign(ALICE, OTHER_QA);
    assertThat(validator.select(KEY, List.of(seq1, forged, seq2, badClaim))).isEqualTo(2);
    assertThat(validator.select(KEY, List.of(seq2, seq1))).isZero();
    assertThat(validator.select(KEY, List.of(seq2, seq2b))).as("earlier wins ties").isZero();
    assertThat(validator.select(KEY, List.of(seq2b, seq2))).isZero();
    assertThatThrownBy(() -> validator.select(KEY, List.of(forged, badClaim)))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void anExpiredRecordIsNeverSelectedWhateverItsSequence() {
    byte[] old = signed(ALICE, T0, 100);
    clock.advance(PeerRecord.DEFAULT_LIFETIME);
    byte[] fresh = signed(ALICE, clock.instant().minus(Duration.ofMinutes(1)), 3);
    assertThat(validator.select(KEY, List.of(old, fresh))).isEqualTo(1);
  }
}
