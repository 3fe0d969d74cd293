package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.envelope.WriteAuthority;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class ChorusValidatorsTest {
  final NamespacedValidator validator =
      ChorusValidators.create(org.chorus.dht.testing.TestRoles.AUTHORITY);
  static final byte[] UCXL_KEY = UcxlEnvelopeValidatorTest.KEY;

  static byte[] k(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void dispatchesUcxlKeysToTheEnvelopeValidator() {
    byte[] v1 = UcxlEnvelopeValidatorTest.value(1, UcxlEnvelopeValidatorTest.T0);
    byte[] v2 = UcxlEnvelopeValidatorTest.value(2, UcxlEnvelopeValidatorTest.T0);
    validator.validate(UCXL_KEY, v1);
    assertThat(validator.select(UCXL_KEY, List.of(v1, v2))).isEqualTo(1);
    assertThatThrownBy(() -> validator.validate(UCXL_KEY, new byte[] {1}))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void dispatchesPeerKeysToThePeerRecordValidator() {
    IdentityKey id = IdentityKey.generate();
    byte[] key = PeerRecord.dhtKey(id.peerId());
    Instant now = Instant.now();
    byte[] old = PeerRecordTest.signed(id, now, 1);
    byte[] newer = PeerRecordTest.signed(id, now, 2);
    validator.validate(key, old);
    assertThat(validator.select(key, List.of(old, newer))).isEqualTo(1);
    assertThatThrownBy(
            () -> validator.validate(key, PeerRecordTest.signed(IdentityKey.generate(), now, 1)))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void withAWriteAuthorityRoleClaimsAreCheckedAgainstItsSignerKeys() {
    WriteAuthority authority =
        new WriteAuthority() {
          @Override
          public Optional<String> refusal(String creatorRole, String addressRole) {
            return Optional.empty();
          }

          @Override
          public Optional<byte[]> signerKey(String role) {
            return role.equals(PeerRecordTest.ROLE)
                ? Optional.of(PeerRecordTest.QA.publicKey())
                : Optional.empty();
          }
        };
    NamespacedValidator checked =
        ChorusValidators.create(UcxlEnvelopeValidator.DEFAULT_MAX_VALUE_BYTES, authority);
    IdentityKey id = IdentityKey.generate();
    byte[] key = PeerRecord.dhtKey(id.peerId());
    Instant now = Instant.now();
    checked.validate(key, PeerRecordTest.signed(id, now, 1));
    byte[] wrongKey = PeerRecordTest.record(now, 1).sign(id, PeerRecordTest.OTHER_QA);
    WriteAuthority noKeys =
        new WriteAuthority() {
          @Override
          public Optional<String> refusal(String creatorRole, String addressRole) {
            return Optional.empty();
          }

          @Override
          public Optional<byte[]> signerKey(String role) {
            return Optional.empty();
          }
        };
    // a node that knows no key for the role cannot refute the claim (it stays unproven)
    ChorusValidators.create(UcxlEnvelopeValidator.DEFAULT_MAX_VALUE_BYTES, noKeys)
        .validate(key, wrongKey);
    assertThatThrownBy(() -> checked.validate(key, wrongKey))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidRecordException.Reason.UNAUTHORIZED));
  }

  @Test
  void refusesRecordsUnderTheWrongSubNamespace() {
    IdentityKey id = IdentityKey.generate();
    byte[] peerValue = PeerRecordTest.signed(id, Instant.now(), 1);
    byte[] envelope = UcxlEnvelopeValidatorTest.value(1, UcxlEnvelopeValidatorTest.T0);
    String ucxlSuffix =
        new String(UCXL_KEY, StandardCharsets.UTF_8).substring("/CHORUS/ucxl/".length());
    assertThatThrownBy(() -> validator.validate(k("/CHORUS/peer/" + ucxlSuffix), envelope))
        .isInstanceOf(InvalidRecordException.class);
    assertThatThrownBy(
            () -> validator.validate(k("/CHORUS/ucxl/" + id.peerId().toBase58()), peerValue))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void refusesOtherKeysUnderChorusAndOtherNamespaces() {
    for (String key :
        List.of("/CHORUS/other/x", "/CHORUS/ucxl", "/CHORUS/", "/pk/x", "/ipns/x", "x")) {
      assertThatThrownBy(() -> validator.validate(k(key), new byte[] {1}))
          .as(key)
          .isInstanceOf(InvalidRecordException.class);
      assertThatThrownBy(() -> validator.select(k(key), List.of(new byte[] {1})))
          .as(key)
          .isInstanceOf(InvalidRecordException.class);
    }
  }
}
