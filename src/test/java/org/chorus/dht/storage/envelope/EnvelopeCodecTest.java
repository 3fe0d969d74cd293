package org.chorus.dht.storage.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.system.NodeIdentity;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeCodecTest {

  private static final String ADDRESS = "ucxl://a/qa_engineer/p/t/file.txt";
  private static final String KEY = UcxlAddress.parse(ADDRESS).dhtKey();

  private final IdentityEnvelopeSigner key = new IdentityEnvelopeSigner(IdentityKey.generate());
  private final EnvelopeCodec codec = new EnvelopeCodec(1 << 20);

  private ContentEnvelope envelope(byte[] ciphertext) {
    EnvelopeMetadata metadata =
        new EnvelopeMetadata(
            ADDRESS,
            "qa_engineer",
            "node-1",
            List.of("qa_engineer", "senior_architect"),
            "text/plain",
            Instant.parse("2026-11-24T12:00:00.123456Z"),
            5,
            EnvelopeCodec.sha256Hex(ciphertext),
            3,
            1);
    return EnvelopeCodec.seal(metadata, ciphertext, key);
  }

  @Test
  void roundTripsAndVerifies() throws Exception {
    ContentEnvelope sealed = envelope(new byte[] {1, 2, 3});
    ContentEnvelope decoded = codec.decodeAndVerify(KEY, codec.encode(sealed));
    assertThat(decoded.metadata()).isEqualTo(sealed.metadata());
    assertThat(decoded.metadata().timestamp()).isEqualTo(Instant.parse("2026-11-24T12:00:00.123Z"));
    assertThat(decoded.ciphertext()).isEqualTo(new byte[] {1, 2, 3});
    assertThat(decoded.publicKey()).isEqualTo(key.publicKey()).hasSize(32);
  }

  @Test
  void rejectsEveryKindOfTampering() {
    ContentEnvelope good = envelope(new byte[] {1, 2, 3});
    String json = new String(codec.encode(good), StandardCharsets.UTF_8);

    assertRejected(json.replace("\"version\":1", "\"version\":2"), "signature");
    assertRejected(
        json.replace("\"qa_engineer\",\"senior", "\"qa_engineer\",\"project_manager\",\"senior"),
        "signature");
    ContentEnvelope swapped =
        new ContentEnvelope(
            good.metadata(), new byte[] {9, 9, 9}, good.publicKey(), good.signature());
    assertRejected(new String(codec.encode(swapped), StandardCharsets.UTF_8), "SHA-256");
    ContentEnvelope otherSigner =
        new ContentEnvelope(
            good.metadata(),
            good.ciphertext(),
            IdentityKey.generate().publicKey(),
            good.signature());
    assertRejected(new String(codec.encode(otherSigner), StandardCharsets.UTF_8), "signature");
    assertRejected("{", "failed to parse");
    assertRejected(json.replace("\"v\":1", "\"v\":2"), "version");

    assertThatThrownBy(
            () ->
                codec.decodeAndVerify(
                    UcxlAddress.parse("ucxl://x/y/z/w/v").dhtKey(),
                    json.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("does not hash to key");
    assertThatThrownBy(() -> new EnvelopeCodec(10).decode(json.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("limit 10");
  }

  private void assertRejected(String json, String reason) {
    assertThatThrownBy(() -> codec.decodeAndVerify(KEY, json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEnvelopeException.class)
        .hasMessageContaining(reason);
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
    ContentEnvelope byFirst =
        EnvelopeCodec.seal(
            envelope(content).metadata(), content, new IdentityEnvelopeSigner(first));
    assertThat(byFirst.publicKey()).isEqualTo(second.publicKey());
    byte[] encoded = codec.encode(byFirst);
    assertThat(codec.decodeAndVerify(KEY, encoded).publicKey()).isEqualTo(first.publicKey());
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
