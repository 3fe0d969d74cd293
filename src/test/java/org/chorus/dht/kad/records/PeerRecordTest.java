package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

/** The peer record codec: round trip, every corruption refused, caps, role claim binding. */
class PeerRecordTest {
  static final IdentityKey ALICE = IdentityKey.generate();
  static final IdentityKey MALLORY = IdentityKey.generate();
  static final Instant T0 = Instant.parse("2026-11-24T12:00:00.123Z");
  static final String ROLE = "qa_engineer";
  static final RoleKey QA = RoleKey.of(ROLE);
  static final RoleKey OTHER_QA = RoleKey.generate();

  /** A role signing key: something that signs, and its public key. */
  record RoleKey(PeerRecord.RoleClaimSigner signer, byte[] publicKey)
      implements PeerRecord.RoleClaimSigner {
    static RoleKey generate() {
      byte[] seed = new byte[32];
      new java.security.SecureRandom().nextBytes(seed);
      byte[] pk = Ed25519Keys.publicKey(seed);
      return new RoleKey(m -> Ed25519Keys.sign(seed, pk, m), pk);
    }

    /** The test signing key of a role (the one {@code TestRoles.AUTHORITY} knows). */
    static RoleKey of(String role) {
      org.chorus.dht.roles.RoleSigner s = org.chorus.dht.testing.TestRoles.signer(role);
      return new RoleKey(s::sign, s.publicKey());
    }

    @Override
    public byte[] sign(byte[] message) {
      return signer.sign(message);
    }
  }

  static PeerRecord record(Instant at, long sequence) {
    return PeerRecord.of(
        "chorus-dht/0.1",
        ROLE,
        List.of("go", "review"),
        List.of(Multiaddr.parse("/ip4/10.1.2.3/tcp/4001")),
        at,
        sequence);
  }

  /** {@code record(at, sequence)} of {@code node}, its role claim signed by the real QA key. */
  static byte[] signed(IdentityKey node, Instant at, long sequence) {
    return record(at, sequence).sign(node, QA);
  }

  static final byte[] KEY = PeerRecord.dhtKey(ALICE.peerId());

  @Test
  void signedRecordRoundTripsAndItsRoleClaimVerifiesUnderTheRoleKeyOnly() {
    assertThat(new String(KEY, StandardCharsets.UTF_8))
        .isEqualTo("/CHORUS/peer/" + ALICE.peerId().toBase58());
    byte[] value = signed(ALICE, T0, 7);
    PeerRecord.Verified v = PeerRecord.verify(KEY, value);
    assertThat(v.peerId()).isEqualTo(ALICE.peerId());
    assertThat(v.record()).isEqualTo(record(T0, 7));
    assertThat(v.record().sequence()).isEqualTo(7);
    assertThat(v.record().expiresAt()).isEqualTo(T0.plus(PeerRecord.DEFAULT_LIFETIME));
    assertThat(v.roleClaimVerifies(QA.publicKey())).isTrue();
    assertThat(v.roleClaimVerifies(OTHER_QA.publicKey())).isFalse();
    assertThat(v.roleClaimVerifies(new byte[5])).isFalse();
    // deterministic: one byte form per record
    assertThat(signed(ALICE, T0, 7)).isEqualTo(value);
  }

  @Test
  void aRecordWithoutARoleHasNoRoleClaim() {
    PeerRecord none = PeerRecord.of("a", "", List.of("go"), List.of(), T0, 1);
    byte[] value = none.sign(ALICE);
    PeerRecord.Verified v = PeerRecord.verify(KEY, value);
    assertThat(v.record()).isEqualTo(none);
    assertThat(v.roleClaimVerifies(QA.publicKey())).isFalse();
    assertThatThrownBy(() -> none.sign(ALICE, QA)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> record(T0, 1).sign(ALICE)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> record(T0, 1).sign(ALICE, m -> new byte[10]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void everyBitFlipOfTheSignedBytesIsRefused() {
    byte[] value = signed(ALICE, T0, 7);
    for (int i = 0; i < value.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = value.clone();
        flipped[i] ^= (byte) (1 << bit);
        int at = i;
        int b = bit;
        assertThatThrownBy(() -> PeerRecord.verify(KEY, flipped))
            .as("byte %d bit %d", at, b)
            .isInstanceOf(InvalidRecordException.class);
      }
    }
  }

  @Test
  void randomMutationsAreRefused() {
    byte[] value = signed(ALICE, T0, 7);
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] mutated = value.clone();
      for (int j = 0; j < 1 + r.nextInt(4); j++) {
        mutated[r.nextInt(mutated.length)] = (byte) r.nextInt(256);
      }
      if (Arrays.equals(mutated, value)) {
        continue;
      }
      assertThatThrownBy(() -> PeerRecord.verify(KEY, mutated))
          .isInstanceOf(InvalidRecordException.class);
    }
  }

  @Test
  void everyTruncationAndTrailingBytesAreRefused() {
    byte[] value = signed(ALICE, T0, 7);
    for (int cut = 0; cut < value.length; cut++) {
      byte[] truncated = Arrays.copyOf(value, cut);
      assertThatThrownBy(() -> PeerRecord.verify(KEY, truncated))
          .as("cut at %d", cut)
          .isInstanceOfSatisfying(
              InvalidRecordException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
    byte[] trailing = Arrays.copyOf(value, value.length + 1);
    assertThatThrownBy(() -> PeerRecord.verify(KEY, trailing))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void refusesARecordSignedByAnotherPeerOrWithABadNodeSignature() {
    assertThatThrownBy(() -> PeerRecord.verify(KEY, signed(MALLORY, T0, 7)))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED))
        .hasMessageContaining("signed by");
    byte[] badSig = signed(ALICE, T0, 7);
    badSig[badSig.length - 1] ^= 1;
    assertThatThrownBy(() -> PeerRecord.verify(KEY, badSig))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    byte[] tampered = signed(ALICE, T0, 7);
    tampered[indexOf(tampered, ROLE.getBytes(StandardCharsets.UTF_8))] = 'Q';
    assertThatThrownBy(() -> PeerRecord.verify(KEY, tampered))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
  }

  @Test
  void aRoleSignatureCannotBeReplayedOntoAnotherPeerOrAnotherRecord() {
    byte[] alices = signed(ALICE, T0, 7);
    byte[] roleSignature = roleSignatureOf(alices);

    // Mallory copies Alice's role signature into her own record with the same claims.
    byte[] replayed = record(T0, 7).sign(MALLORY, m -> roleSignature);
    PeerRecord.Verified onMallory =
        PeerRecord.verify(PeerRecord.dhtKey(MALLORY.peerId()), replayed);
    assertThat(onMallory.record()).isEqualTo(record(T0, 7));
    assertThat(onMallory.roleClaimVerifies(QA.publicKey())).isFalse();

    // Alice's old role signature on a newer record of hers does not verify either.
    byte[] newer = record(T0.plusSeconds(60), 8).sign(ALICE, m -> roleSignature);
    assertThat(PeerRecord.verify(KEY, newer).roleClaimVerifies(QA.publicKey())).isFalse();

    // A claim signed by a key that is not the role's.
    byte[] wrongKey = record(T0, 7).sign(ALICE, OTHER_QA);
    assertThat(PeerRecord.verify(KEY, wrongKey).roleClaimVerifies(QA.publicKey())).isFalse();
  }

  @Test
  void countsAndLengthsOneOverTheirCapsAreRefusedOnTheWire() {
    List<String> caps =
        IntStream.range(0, PeerRecord.MAX_CAPABILITIES).mapToObj(i -> "c" + i).toList();
    byte[] full = PeerRecord.of("a", ROLE, caps, List.of(), T0, 1).sign(ALICE, QA);
    assertThat(PeerRecord.verify(KEY, full).record().capabilities()).hasSize(caps.size());
    byte[] capsPlusOne = full.clone();
    int at = indexOfInt(capsPlusOne, PeerRecord.MAX_CAPABILITIES);
    ByteBuffer.wrap(capsPlusOne).putInt(at, PeerRecord.MAX_CAPABILITIES + 1);
    assertThatThrownBy(() -> PeerRecord.verify(KEY, capsPlusOne))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("out of range");

    List<Multiaddr> addrs =
        IntStream.range(0, PeerRecord.MAX_ADDRESSES)
            .mapToObj(i -> Multiaddr.parse("/ip4/10.0.0." + i + "/tcp/4001"))
            .toList();
    byte[] fullAddrs = PeerRecord.of("a", ROLE, List.of(), addrs, T0, 1).sign(ALICE, QA);
    byte[] addrsPlusOne = fullAddrs.clone();
    ByteBuffer.wrap(addrsPlusOne)
        .putInt(indexOfInt(addrsPlusOne, PeerRecord.MAX_ADDRESSES), PeerRecord.MAX_ADDRESSES + 1);
    assertThatThrownBy(() -> PeerRecord.verify(KEY, addrsPlusOne))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("out of range");

    String longest = "x".repeat(PeerRecord.MAX_TEXT_BYTES);
    byte[] longText = PeerRecord.of(longest, ROLE, List.of(), List.of(), T0, 1).sign(ALICE, QA);
    PeerRecord.verify(KEY, longText);
    byte[] textPlusOne = longText.clone();
    ByteBuffer.wrap(textPlusOne)
        .putInt(indexOfInt(textPlusOne, PeerRecord.MAX_TEXT_BYTES), PeerRecord.MAX_TEXT_BYTES + 1);
    assertThatThrownBy(() -> PeerRecord.verify(KEY, textPlusOne))
        .isInstanceOf(InvalidRecordException.class);

    assertThatThrownBy(() -> PeerRecord.verify(KEY, new byte[PeerRecord.MAX_VALUE_BYTES + 1]))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
        .hasMessageContaining("limit");
  }

  @Test
  void capsAreCheckedWhenBuilding() {
    assertThatThrownBy(
            () ->
                PeerRecord.of(
                    "a",
                    "r",
                    Collections.nCopies(PeerRecord.MAX_CAPABILITIES + 1, "c"),
                    List.of(),
                    T0,
                    1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                PeerRecord.of(
                    "x".repeat(PeerRecord.MAX_TEXT_BYTES + 1), "r", List.of(), List.of(), T0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerRecord.of("a", "r", List.of(), List.of(), T0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new PeerRecord(
                    "a",
                    "r",
                    List.of(),
                    List.of(),
                    T0,
                    1,
                    T0.plus(PeerRecord.MAX_LIFETIME).plusMillis(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeerRecord("a", "r", List.of(), List.of(), T0, 1, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatOneAndUnknownFormatsAreRefusedSayingWhy() {
    byte[] v1 = signed(ALICE, T0, 7);
    v1[0] = PeerRecord.FORMAT_V1;
    assertThatThrownBy(() -> PeerRecord.verify(KEY, v1))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("format 1")
        .hasMessageContaining("no longer accepted");
    byte[] v9 = v1.clone();
    v9[0] = 9;
    assertThatThrownBy(() -> PeerRecord.verify(KEY, v9))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("unknown peer record format 9");
  }

  @Test
  void malformedUtf8AndMismatchedRoleSignaturesAreRefused() {
    byte[] value = signed(ALICE, T0, 7);
    byte[] badText = value.clone();
    badText[indexOf(badText, "chorus-dht/0.1".getBytes(StandardCharsets.UTF_8))] = (byte) 0xC3;
    assertThatThrownBy(() -> PeerRecord.verify(KEY, badText))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("UTF-8");
    // A role-less record that carries a role signature anyway (the body of a role-less record,
    // followed by 64 bytes): refused before any signature is checked.
    byte[] none = PeerRecord.of("a", "", List.of(), List.of(), T0, 1).sign(ALICE);
    int roleSigLengthAt = none.length - 64 - 4 - 4; // node signature is Ed25519: 64 bytes
    byte[] forged = new byte[none.length + 64];
    System.arraycopy(none, 0, forged, 0, roleSigLengthAt);
    ByteBuffer.wrap(forged).putInt(roleSigLengthAt, 64);
    System.arraycopy(
        none,
        roleSigLengthAt + 4,
        forged,
        roleSigLengthAt + 4 + 64,
        none.length - roleSigLengthAt - 4);
    assertThatThrownBy(() -> PeerRecord.verify(KEY, forged))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("role signature is 64 bytes, expected 0");
  }

  @Test
  void checkTimeRefusesExpiredRecordsAndValidityTooFarAhead() {
    PeerRecord r = record(T0, 1);
    r.checkTime(T0);
    r.checkTime(r.expiresAt().minusMillis(1));
    assertThat(r.isExpired(r.expiresAt())).isTrue();
    assertThatThrownBy(() -> r.checkTime(r.expiresAt()))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
    Instant longBefore = T0.minus(PeerRecord.MAX_LIFETIME);
    assertThatThrownBy(() -> r.checkTime(longBefore.minus(Duration.ofHours(1))))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("beyond");
  }

  /** The 64-byte role signature of a signed record with an Ed25519 node key. */
  static byte[] roleSignatureOf(byte[] value) {
    int end = value.length - 4 - 64; // the node signature's length field
    return Arrays.copyOfRange(value, end - 64, end);
  }

  static int indexOfInt(byte[] hay, int n) {
    return indexOf(hay, ByteBuffer.allocate(4).putInt(n).array());
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
