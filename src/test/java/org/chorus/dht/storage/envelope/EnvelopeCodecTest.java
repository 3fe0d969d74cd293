package org.chorus.dht.storage.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.envelope.InvalidEnvelopeException.Kind;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.system.NodeIdentity;
import org.chorus.dht.testing.TestRoles;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeCodecTest {

  private static final String ADDRESS = "ucxl://a/qa_engineer/p/t/file.txt";
  private static final String KEY = UcxlAddress.parse(ADDRESS).dhtKey();

  private final IdentityKey nodeKey = IdentityKey.generate();
  private final IdentityEnvelopeSigner node = new IdentityEnvelopeSigner(nodeKey);
  private final EnvelopeCodec codec = new EnvelopeCodec(1 << 20);

  private EnvelopeMetadata metadata(String address, String role, long version, byte[] ct) {
    return new EnvelopeMetadata(
        address,
        role,
        nodeKey.peerId().toString(),
        List.of(role, "senior_architect"),
        "text/plain",
        Instant.parse("2026-11-24T12:00:00.123456Z"),
        5,
        EnvelopeCodec.sha256Hex(ct),
        3,
        version);
  }

  private ContentEnvelope envelope(byte[] ciphertext) {
    return EnvelopeCodec.seal(
        metadata(ADDRESS, "qa_engineer", 1, ciphertext),
        ciphertext,
        TestRoles.signer("qa_engineer"),
        node);
  }

  private ContentEnvelope verified(byte[] encoded) throws InvalidEnvelopeException {
    return codec.decodeAndVerify(KEY, encoded, TestRoles.AUTHORITY);
  }

  @Test
  void roundTripsAndVerifiesAgainstTheRoleKeyAndTheNodeKey() throws Exception {
    ContentEnvelope sealed = envelope(new byte[] {1, 2, 3});
    ContentEnvelope decoded = verified(codec.encode(sealed));
    assertThat(decoded.metadata()).isEqualTo(sealed.metadata());
    assertThat(decoded.metadata().timestamp()).isEqualTo(Instant.parse("2026-11-24T12:00:00.123Z"));
    assertThat(decoded.ciphertext()).isEqualTo(new byte[] {1, 2, 3});
    assertThat(decoded.nodeKey()).isEqualTo(node.publicKey()).hasSize(32);
    assertThat(decoded.roleSignature()).hasSize(64);
    assertThat(decoded.legacy()).isFalse();
    assertThat(decoded.metadata().creatorNode()).isEqualTo(nodeKey.peerId().toString());
  }

  @Test
  void rejectsEveryKindOfTampering() {
    ContentEnvelope good = envelope(new byte[] {1, 2, 3});
    String json = new String(codec.encode(good), StandardCharsets.UTF_8);

    assertRejected(json.replace("\"version\":1", "\"version\":2"), Kind.BAD_SIGNATURE, "role");
    assertRejected(
        json.replace("\"qa_engineer\",\"senior", "\"qa_engineer\",\"project_manager\",\"senior"),
        Kind.BAD_SIGNATURE,
        "role signature");
    assertRejected(
        json.replace("\"deleted\":false", "\"deleted\":true"), Kind.MALFORMED, "tombstone");
    ContentEnvelope swapped =
        new ContentEnvelope(
            good.metadata(),
            new byte[] {9, 9, 9},
            good.nodeKey(),
            good.nodeSignature(),
            good.roleSignature());
    assertRejected(encoded(swapped), Kind.BAD_SIGNATURE, "SHA-256");
    ContentEnvelope otherNode =
        new ContentEnvelope(
            good.metadata(),
            good.ciphertext(),
            IdentityKey.generate().publicKey(),
            good.nodeSignature(),
            good.roleSignature());
    assertRejected(encoded(otherNode), Kind.BAD_SIGNATURE, "role signature");
    assertRejected("{", Kind.MALFORMED, "failed to parse");
    assertRejected(json.replace("\"v\":2", "\"v\":3"), Kind.MALFORMED, "version");

    assertThatThrownBy(
            () ->
                codec.decodeAndVerify(
                    UcxlAddress.parse("ucxl://x/y/z/w/v").dhtKey(),
                    json.getBytes(StandardCharsets.UTF_8),
                    TestRoles.AUTHORITY))
        .hasMessageContaining("does not hash to key");
    assertThatThrownBy(() -> new EnvelopeCodec(10).decode(json.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("limit 10");
  }

  @Test
  void aRememberedGoodEnvelopeVouchesForItsOwnBytesOnly() throws Exception {
    // both are sealed here and verified once, so both are remembered as good
    ContentEnvelope a = envelope(new byte[] {1, 2, 3});
    ContentEnvelope b = envelope(new byte[] {4, 5, 6});
    verified(codec.encode(a));
    verified(codec.encode(b));

    // a's fields with b's signatures, and each signature pair mixed: all verify again and fail
    assertRejected(
        encoded(
            new ContentEnvelope(
                a.metadata(), a.ciphertext(), a.nodeKey(), b.nodeSignature(), b.roleSignature())),
        Kind.BAD_SIGNATURE,
        "role signature");
    assertRejected(
        encoded(
            new ContentEnvelope(
                a.metadata(), a.ciphertext(), a.nodeKey(), b.nodeSignature(), a.roleSignature())),
        Kind.BAD_SIGNATURE,
        "node signature");
    // a good envelope under an authority that trusts another key for the role
    ContentEnvelope byAnotherRole =
        EnvelopeCodec.seal(
            metadata(ADDRESS, "qa_engineer", 1, a.ciphertext()),
            a.ciphertext(),
            TestRoles.signer("senior_architect"),
            node);
    assertRejected(encoded(byAnotherRole), Kind.BAD_SIGNATURE, "role signature");
    // and the remembered ones still verify
    assertThat(verified(codec.encode(a)).ciphertext()).isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void onlyTheAddressRoleOrAnAdminRoleSignedByItsOwnKeyMayWrite() {
    byte[] ct = {1, 2, 3};
    // signed by another role's key, claiming qa_engineer
    ContentEnvelope forged =
        EnvelopeCodec.seal(
            metadata(ADDRESS, "qa_engineer", 1, ct),
            ct,
            TestRoles.signer("backend_developer"),
            node);
    assertRejected(encoded(forged), Kind.BAD_SIGNATURE, "role signature of 'qa_engineer'");
    // a suggestion role writing another role's address
    String decision = "ucxl://a/senior_architect/p/t/decision";
    ContentEnvelope suggestion =
        EnvelopeCodec.seal(
            metadata(decision, "qa_engineer", 1, ct), ct, TestRoles.signer("qa_engineer"), node);
    assertThatThrownBy(
            () ->
                codec.decodeAndVerify(
                    UcxlAddress.parse(decision).dhtKey(),
                    codec.encode(suggestion),
                    TestRoles.AUTHORITY))
        .isInstanceOf(InvalidEnvelopeException.class)
        .satisfies(
            e -> assertThat(((InvalidEnvelopeException) e).kind()).isEqualTo(Kind.UNAUTHORIZED))
        .hasMessageContaining("may not write");
    // the admin-authority role may
    ContentEnvelope admin =
        EnvelopeCodec.seal(
            metadata(decision, "project_manager", 1, ct),
            ct,
            TestRoles.signer("project_manager"),
            node);
    org.assertj.core.api.Assertions.assertThatCode(
            () ->
                codec.decodeAndVerify(
                    UcxlAddress.parse(decision).dhtKey(), codec.encode(admin), TestRoles.AUTHORITY))
        .doesNotThrowAnyException();
    // a read-only role writing its own address
    String observed = "ucxl://a/read_only_observer/p/t/note";
    ContentEnvelope readOnly =
        EnvelopeCodec.seal(
            metadata(observed, "read_only_observer", 1, ct),
            ct,
            TestRoles.signer("read_only_observer"),
            node);
    assertThatThrownBy(
            () ->
                codec.decodeAndVerify(
                    UcxlAddress.parse(observed).dhtKey(),
                    codec.encode(readOnly),
                    TestRoles.AUTHORITY))
        .hasMessageContaining("may not write");
  }

  @Test
  void everySingleBitFlipOfTheEncodedEnvelopeIsRefusedOrChangesNothing() {
    // seeded: flip random bits of the JSON; what still parses must either fail verification or be
    // the very same signed content (a flip inside base64 padding, say)
    ContentEnvelope good = envelope(new byte[] {1, 2, 3, 4, 5});
    byte[] bytes = codec.encode(good);
    Random random = new Random(42);
    int accepted = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] flipped = bytes.clone();
      int bit = random.nextInt(flipped.length * 8);
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        ContentEnvelope e = verified(flipped);
        assertThat(EnvelopeCodec.compare(e, good))
            .as("flip %d accepted as other content", bit)
            .isZero();
        accepted++;
      } catch (InvalidEnvelopeException expected) {
        // refused
      }
    }
    assertThat(accepted).as("flips that changed nothing signed").isLessThan(2000 / 10);
  }

  @Test
  void aTombstoneHasNoContentAndIsSignedLikeContent() throws Exception {
    byte[] none = new byte[0];
    EnvelopeMetadata m =
        new EnvelopeMetadata(
            ADDRESS,
            "qa_engineer",
            nodeKey.peerId().toString(),
            List.of(),
            "application/vnd.chorus.tombstone",
            Instant.now(),
            0,
            EnvelopeCodec.sha256Hex(none),
            3,
            7,
            true);
    ContentEnvelope tombstone = EnvelopeCodec.seal(m, none, TestRoles.signer("qa_engineer"), node);
    ContentEnvelope decoded = verified(codec.encode(tombstone));
    assertThat(decoded.metadata().deleted()).isTrue();
    assertThat(decoded.metadata().version()).isEqualTo(7);
  }

  @Test
  void versionsOrderByNumberThenByTheSameTiebreakEverywhere() {
    byte[] a = {1};
    byte[] b = {2};
    ContentEnvelope v1 = envelope(a);
    ContentEnvelope v2 =
        EnvelopeCodec.seal(
            metadata(ADDRESS, "qa_engineer", 2, a), a, TestRoles.signer("qa_engineer"), node);
    ContentEnvelope v2other =
        EnvelopeCodec.seal(
            metadata(ADDRESS, "qa_engineer", 2, b), b, TestRoles.signer("qa_engineer"), node);
    assertThat(EnvelopeCodec.compare(v2, v1)).isPositive();
    assertThat(EnvelopeCodec.compare(v1, v2)).isNegative();
    assertThat(EnvelopeCodec.compare(v2, v2)).isZero();
    int ab = EnvelopeCodec.compare(v2, v2other);
    assertThat(ab).isNotZero().isEqualTo(-EnvelopeCodec.compare(v2other, v2));
    ContentEnvelope lowerHash =
        EnvelopeCodec.tiebreak(v2).compareTo(EnvelopeCodec.tiebreak(v2other)) < 0 ? v2 : v2other;
    ContentEnvelope other = lowerHash == v2 ? v2other : v2;
    assertThat(EnvelopeCodec.compare(lowerHash, other)).as("the lower tiebreak wins").isPositive();
  }

  @Test
  void aVersionAboveTheCapIsRefused() {
    byte[] ct = {1};
    ContentEnvelope pinned =
        EnvelopeCodec.seal(
            metadata(ADDRESS, "qa_engineer", Long.MAX_VALUE, ct),
            ct,
            TestRoles.signer("qa_engineer"),
            node);
    assertRejected(encoded(pinned), Kind.MALFORMED, "version out of range");
  }

  @Test
  void aFormatOneEnvelopeDecodesButIsRefusedAndChecksAsLegacy() throws Exception {
    byte[] fixture =
        Files.readAllBytes(
            Path.of("src/test/resources/fixtures/datadir-0.1.0/README.md")); // exists
    assertThat(fixture).isNotEmpty();
    String v1 =
        "{\"v\":1,\"metadata\":{\"address\":\""
            + ADDRESS
            + "\",\"creatorRole\":\"qa_engineer\",\"creatorNode\":\"old-node\","
            + "\"encryptedFor\":[\"qa_engineer\"],\"contentType\":\"text/plain\","
            + "\"timestamp\":\"2026-11-24T12:00:00Z\",\"size\":1,\"sha256\":\""
            + EnvelopeCodec.sha256Hex(new byte[] {7})
            + "\",\"replicationFactor\":3,\"version\":4},\"ciphertext\":\"Bw==\","
            + "\"publicKey\":\""
            + java.util.Base64.getEncoder().encodeToString(nodeKey.publicKey())
            + "\",\"signature\":\""
            + java.util.Base64.getEncoder().encodeToString(new byte[64])
            + "\"}";
    ContentEnvelope legacy = codec.decode(v1.getBytes(StandardCharsets.UTF_8));
    assertThat(legacy.legacy()).isTrue();
    assertThat(legacy.metadata().version()).isEqualTo(4);
    assertRejected(v1, Kind.UNAUTHORIZED, "format 1");
    assertThatThrownBy(() -> EnvelopeCodec.verifyLegacy(KEY, legacy))
        .hasMessageContaining("format 1 signature does not verify");
    // a legacy envelope encodes back to format 1
    assertThat(new String(codec.encode(legacy), StandardCharsets.UTF_8)).contains("\"v\":1");
  }

  private String encoded(ContentEnvelope e) {
    return new String(codec.encode(e), StandardCharsets.UTF_8);
  }

  private void assertRejected(String json, Kind kind, String reason) {
    assertThatThrownBy(() -> verified(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEnvelopeException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((InvalidEnvelopeException) e).kind()).isEqualTo(kind));
  }

  @Test
  void theNodeIdentityPersistsAndSignsEnvelopes(@TempDir Path dir) throws Exception {
    IdentityKey first = NodeIdentity.loadOrCreate(dir);
    IdentityKey second = NodeIdentity.loadOrCreate(dir);
    assertThat(second.peerId()).isEqualTo(first.peerId());
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve(NodeIdentity.FILE_NAME))))
          .isEqualTo("rw-------");
    }
    byte[] content = {1};
    EnvelopeMetadata m =
        new EnvelopeMetadata(
            ADDRESS,
            "qa_engineer",
            first.peerId().toString(),
            List.of("qa_engineer"),
            "text/plain",
            Instant.now(),
            1,
            EnvelopeCodec.sha256Hex(content),
            3,
            1);
    ContentEnvelope byFirst =
        EnvelopeCodec.seal(
            m, content, TestRoles.signer("qa_engineer"), new IdentityEnvelopeSigner(first));
    assertThat(byFirst.nodeKey()).isEqualTo(second.publicKey());
    assertThat(verified(codec.encode(byFirst)).nodeKey()).isEqualTo(first.publicKey());
  }

  @Test
  void aLegacySigningKeyIsLeftAlone(@TempDir Path dir) throws Exception {
    Path legacy = dir.resolve(NodeIdentity.LEGACY_SIGNING_KEY_FILE);
    Files.writeString(legacy, "# old key\n");
    IdentityKey key = NodeIdentity.loadOrCreate(dir);
    assertThat(Files.readString(legacy)).isEqualTo("# old key\n");
    assertThat(NodeIdentity.loadOrCreate(dir).peerId()).isEqualTo(key.peerId());
  }
}
