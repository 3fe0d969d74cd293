package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
    byte[] old = PeerRecordTest.record(PeerRecordTest.T0).sign(id);
    byte[] newer = PeerRecordTest.record(PeerRecordTest.T0.plusSeconds(1)).sign(id);
    validator.validate(key, old);
    assertThat(validator.select(key, List.of(old, newer))).isEqualTo(1);
    assertThatThrownBy(
            () ->
                validator.validate(
                    key, PeerRecordTest.record(PeerRecordTest.T0).sign(IdentityKey.generate())))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void refusesRecordsUnderTheWrongSubNamespace() {
    IdentityKey id = IdentityKey.generate();
    byte[] peerValue = PeerRecordTest.record(PeerRecordTest.T0).sign(id);
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
