package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class PeerRecordTest {
  static final IdentityKey ALICE = IdentityKey.generate();
  static final IdentityKey MALLORY = IdentityKey.generate();
  static final Instant T0 = Instant.parse("2026-11-24T12:00:00.123Z");

  static PeerRecord record(Instant at) {
    return new PeerRecord(
        "chorus-dht/0.1",
        "qa_engineer",
        List.of("go", "review"),
        List.of(Multiaddr.parse("/ip4/10.1.2.3/tcp/4001")),
        at);
  }

  final PeerRecordValidator validator = new PeerRecordValidator();

  @Test
  void signedRecordVerifiesUnderItsPeersKey() {
    byte[] key = PeerRecord.dhtKey(ALICE.peerId());
    assertThat(new String(key, StandardCharsets.UTF_8))
        .isEqualTo("/CHORUS/peer/" + ALICE.peerId().toBase58());
    byte[] value = record(T0).sign(ALICE);
    PeerRecord.Verified v = PeerRecord.verify(key, value);
    assertThat(v.peerId()).isEqualTo(ALICE.peerId());
    assertThat(v.record()).isEqualTo(record(T0));
    assertThat(record(T0).sign(ALICE)).isEqualTo(value);
    validator.validate(key, value);
  }

  @Test
  void refusesARecordSignedByAnotherPeer() {
    byte[] value = record(T0).sign(MALLORY);
    assertThatThrownBy(() -> validator.validate(PeerRecord.dhtKey(ALICE.peerId()), value))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("signed by");
  }

  @Test
  void refusesATamperedRecordOrSignature() {
    byte[] key = PeerRecord.dhtKey(ALICE.peerId());
    byte[] value = record(T0).sign(ALICE);
    byte[] badSig = value.clone();
    badSig[badSig.length - 1] ^= 1;
    assertThatThrownBy(() -> validator.validate(key, badSig))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("signature");
    byte[] tampered = value.clone();
    int roleAt = indexOf(tampered, "qa_engineer".getBytes(StandardCharsets.UTF_8));
    tampered[roleAt] = 'Q';
    assertThatThrownBy(() -> validator.validate(key, tampered))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void refusesMalformedValuesAndKeys() {
    byte[] key = PeerRecord.dhtKey(ALICE.peerId());
    byte[] value = record(T0).sign(ALICE);
    for (int cut : new int[] {0, 1, 5, value.length / 2, value.length - 1}) {
      byte[] truncated = Arrays.copyOf(value, cut);
      assertThatThrownBy(() -> validator.validate(key, truncated))
          .isInstanceOf(InvalidRecordException.class);
    }
    byte[] trailing = Arrays.copyOf(value, value.length + 1);
    assertThatThrownBy(() -> validator.validate(key, trailing))
        .isInstanceOf(InvalidRecordException.class);
    assertThatThrownBy(
            () ->
                validator.validate("/CHORUS/peer/notapeer".getBytes(StandardCharsets.UTF_8), value))
        .isInstanceOf(InvalidRecordException.class);
    assertThatThrownBy(() -> validator.validate(key, new byte[PeerRecord.MAX_VALUE_BYTES + 1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void capsAreCheckedWhenBuilding() {
    assertThatThrownBy(
            () ->
                new PeerRecord(
                    "a",
                    "r",
                    Collections.nCopies(PeerRecord.MAX_CAPABILITIES + 1, "c"),
                    List.of(),
                    T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new PeerRecord(
                    "x".repeat(PeerRecord.MAX_TEXT_BYTES + 1), "r", List.of(), List.of(), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void selectsTheNewestValidRecord() {
    byte[] key = PeerRecord.dhtKey(ALICE.peerId());
    byte[] old = record(T0).sign(ALICE);
    byte[] newer = record(T0.plusSeconds(5)).sign(ALICE);
    byte[] forged = record(T0.plusSeconds(60)).sign(MALLORY);
    assertThat(validator.select(key, List.of(old, forged, newer))).isEqualTo(2);
    assertThat(validator.select(key, List.of(newer, old))).isZero();
    assertThat(validator.select(key, List.of(old, old))).isZero();
    assertThatThrownBy(() -> validator.select(key, List.of(forged)))
        .isInstanceOf(InvalidRecordException.class);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
