package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.testing.NetworkNodes;
import org.chorus.dht.testing.TestRoles;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;

class UcxlEnvelopeValidatorTest {
  static final String ADDRESS = "ucxl://a/qa_engineer/p/t/file.txt";
  static final byte[] KEY = UcxlAddress.parse(ADDRESS).dhtKey().getBytes(StandardCharsets.UTF_8);
  static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");

  static final EnvelopeSigner SIGNER = signer();
  final EnvelopeCodec codec = new EnvelopeCodec(8 << 20);
  final UcxlEnvelopeValidator validator = new UcxlEnvelopeValidator(TestRoles.AUTHORITY);

  /** An in-memory Ed25519 creator key. */
  static EnvelopeSigner signer() {
    return NetworkNodes.signer();
  }

  static EnvelopeMetadata metadata(String address, byte[] ciphertext, long version, Instant at) {
    return new EnvelopeMetadata(
        address,
        "qa_engineer",
        EnvelopeCodec.peerIdOf(SIGNER.publicKey()),
        List.of("qa_engineer"),
        "text/plain",
        at,
        ciphertext.length,
        EnvelopeCodec.sha256Hex(ciphertext),
        3,
        version);
  }

  static ContentEnvelope sealed(byte[] ciphertext, long version, Instant at) {
    return EnvelopeCodec.seal(
        metadata(ADDRESS, ciphertext, version, at),
        ciphertext,
        TestRoles.signer("qa_engineer"),
        SIGNER);
  }

  /** A valid envelope value for {@link #ADDRESS}. */
  static byte[] value(long version, Instant at) {
    return new EnvelopeCodec(8 << 20).encode(sealed(new byte[] {1, 2, 3}, version, at));
  }

  @Test
  void acceptsAValidEnvelope() {
    validator.validate(KEY, value(1, T0));
  }

  @Test
  void refusesABadSignature() {
    ContentEnvelope e = sealed(new byte[] {1, 2, 3}, 1, T0);
    byte[] sig = e.nodeSignature().clone();
    sig[0] ^= 1;
    byte[] v =
        codec.encode(
            new ContentEnvelope(e.metadata(), e.ciphertext(), e.nodeKey(), sig, e.roleSignature()));
    assertThatThrownBy(() -> validator.validate(KEY, v))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("signature")
        .satisfies(
            x ->
                assertThat(((InvalidRecordException) x).reason())
                    .isEqualTo(InvalidRecordException.Reason.BAD_SIGNATURE));
  }

  @Test
  void refusesAHashMismatch() {
    ContentEnvelope e = sealed(new byte[] {1, 2, 3}, 1, T0);
    byte[] v =
        codec.encode(
            new ContentEnvelope(
                e.metadata(),
                new byte[] {1, 2, 4},
                e.nodeKey(),
                e.nodeSignature(),
                e.roleSignature()));
    assertThatThrownBy(() -> validator.validate(KEY, v))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("SHA-256");
  }

  @Test
  void refusesCapPlusOneBytes() {
    byte[] v = value(1, T0);
    assertThat(v.length).isLessThan(1000);
    new UcxlEnvelopeValidator(v.length, TestRoles.AUTHORITY).validate(KEY, v);
    assertThatThrownBy(
            () -> new UcxlEnvelopeValidator(v.length - 1, TestRoles.AUTHORITY).validate(KEY, v))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void refusesAnOversizeEnvelopeAtTheDefaultCap() {
    byte[] big = new byte[UcxlEnvelopeValidator.DEFAULT_MAX_VALUE_BYTES];
    byte[] v = codec.encode(sealed(big, 1, T0));
    assertThatThrownBy(() -> validator.validate(KEY, v))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void refusesAnEnvelopeUnderAnotherAddressesKey() {
    byte[] other =
        UcxlAddress.parse("ucxl://a/qa_engineer/p/t/other.txt")
            .dhtKey()
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> validator.validate(other, value(1, T0)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("does not hash to key");
    assertThatThrownBy(
            () ->
                validator.validate("/CHORUS/peer/x".getBytes(StandardCharsets.UTF_8), value(1, T0)))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void refusesGarbage() {
    assertThatThrownBy(() -> validator.validate(KEY, new byte[] {'{', 1}))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void selectsTheHighestVersionThenTheLowerTiebreakNeverTheTimestamp() {
    byte[] v1New = value(1, T0.plusSeconds(60));
    byte[] v2Old = value(2, T0);
    byte[] v2New = value(2, T0.plusSeconds(1));
    byte[] garbage = {1, 2, 3};
    assertThat(validator.select(KEY, List.of(v1New, v2Old, garbage))).isEqualTo(1);
    int expected =
        EnvelopeCodec.tiebreak(envelope(v2Old)).compareTo(EnvelopeCodec.tiebreak(envelope(v2New)))
                < 0
            ? 0
            : 1;
    assertThat(validator.select(KEY, List.of(v2Old, v2New, v1New)))
        .as("equal versions: the lower tiebreak, whatever the timestamps")
        .isEqualTo(expected);
    assertThat(validator.select(KEY, List.of(v2New, v2Old, v1New)))
        .as("the same winner in any order")
        .isEqualTo(1 - expected);
    assertThat(validator.select(KEY, List.of(v2New, v2New))).isZero();
    assertThatThrownBy(() -> validator.select(KEY, List.of(garbage)))
        .isInstanceOf(InvalidRecordException.class);
  }

  private ContentEnvelope envelope(byte[] value) {
    return validator.envelope(KEY, value);
  }

  @Test
  void aHeldRecordIsReplacedOnlyByAHigherVersion() {
    byte[] v1 = value(1, T0);
    byte[] v2 = value(2, T0);
    byte[] v2other = codecValue(new byte[] {9}, 2);
    validator.checkReplaces(KEY, v2, v1); // newer: fine
    validator.checkReplaces(KEY, v2, v2); // the same: a refresh
    assertThatThrownBy(() -> validator.checkReplaces(KEY, v1, v2))
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(
            x ->
                assertThat(((InvalidRecordException) x).reason())
                    .isEqualTo(InvalidRecordException.Reason.ROLLBACK));
    assertThatThrownBy(() -> validator.checkReplaces(KEY, v2other, v2))
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(
            x ->
                assertThat(((InvalidRecordException) x).reason())
                    .isEqualTo(InvalidRecordException.Reason.CONFLICT));
    // what is held no longer verifies (garbage, a format 1 envelope): anything valid replaces it
    validator.checkReplaces(KEY, v1, new byte[] {1, 2, 3});
  }

  private byte[] codecValue(byte[] ciphertext, long version) {
    return codec.encode(sealed(ciphertext, version, T0));
  }
}
