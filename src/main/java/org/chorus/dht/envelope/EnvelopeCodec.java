package org.chorus.dht.envelope;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.chorus.dht.ucxl.InvalidUcxlAddressException;
import org.chorus.dht.ucxl.UcxlAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes, decodes, signs and verifies {@link ContentEnvelope}s.
 *
 * <p>Wire form: a UTF-8 JSON object {@code {"v":1,"metadata":{...},"ciphertext":b64,
 * "publicKey":b64,"signature":b64}} (standard base64, raw 32-byte Ed25519 key). The signature does
 * not cover the JSON text but a fixed binary encoding of every field ({@link #signingInput}), so
 * that re-serialising the JSON cannot break it.
 *
 * <p>Thread-safe: instances hold only immutable configuration.
 */
public final class EnvelopeCodec {

  /** Envelope format version. */
  public static final int VERSION = 1;

  /** Domain separation tag at the start of the signing input. */
  static final String SIGNING_CONTEXT = "chorus-dht/ucxl-envelope/v1";

  private static final byte[] ED25519_X509_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private static final JsonMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final int maxValueBytes;

  /**
   * @param maxValueBytes largest encoded envelope accepted by {@link #decode}
   */
  public EnvelopeCodec(int maxValueBytes) {
    if (maxValueBytes <= 0) {
      throw new IllegalArgumentException("maxValueBytes must be positive");
    }
    this.maxValueBytes = maxValueBytes;
  }

  public int maxValueBytes() {
    return maxValueBytes;
  }

  /** Signs the metadata and ciphertext with the creator key. */
  public static ContentEnvelope seal(
      EnvelopeMetadata metadata, byte[] ciphertext, EnvelopeSigner key) {
    byte[] publicKey = key.publicKey();
    return new ContentEnvelope(
        metadata, ciphertext, publicKey, key.sign(signingInput(metadata, ciphertext, publicKey)));
  }

  /** The JSON wire form. */
  public byte[] encode(ContentEnvelope envelope) {
    EnvelopeMetadata m = envelope.metadata();
    Wire wire =
        new Wire(
            VERSION,
            new WireMetadata(
                m.address(),
                m.creatorRole(),
                m.creatorNode(),
                m.encryptedFor(),
                m.contentType(),
                m.timestamp().toString(),
                m.size(),
                m.sha256(),
                m.replicationFactor(),
                m.version()),
            Base64.getEncoder().encodeToString(envelope.ciphertext()),
            Base64.getEncoder().encodeToString(envelope.publicKey()),
            Base64.getEncoder().encodeToString(envelope.signature()));
    return JSON.writeValueAsBytes(wire);
  }

  /** Parses the wire form without checking the signature or hash; see {@link #decodeAndVerify}. */
  public ContentEnvelope decode(byte[] value) throws InvalidEnvelopeException {
    if (value.length > maxValueBytes) {
      throw new InvalidEnvelopeException(
          "envelope is " + value.length + " bytes, limit " + maxValueBytes);
    }
    Wire wire;
    try {
      wire = JSON.readValue(value, Wire.class);
    } catch (JacksonException e) {
      throw new InvalidEnvelopeException("failed to parse envelope: " + e.getOriginalMessage());
    }
    if (wire == null || wire.metadata() == null) {
      throw new InvalidEnvelopeException("failed to parse envelope: no metadata");
    }
    if (wire.v() != VERSION) {
      throw new InvalidEnvelopeException("unsupported envelope version " + wire.v());
    }
    WireMetadata w = wire.metadata();
    try {
      EnvelopeMetadata metadata =
          new EnvelopeMetadata(
              w.address(),
              w.creatorRole(),
              w.creatorNode(),
              w.encryptedFor() == null ? List.of() : w.encryptedFor(),
              w.contentType(),
              Instant.parse(w.timestamp()),
              w.size(),
              w.sha256(),
              w.replicationFactor(),
              w.version());
      return new ContentEnvelope(
          metadata,
          Base64.getDecoder().decode(wire.ciphertext()),
          Base64.getDecoder().decode(wire.publicKey()),
          Base64.getDecoder().decode(wire.signature()));
    } catch (NullPointerException | IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidEnvelopeException("failed to parse envelope: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes and checks everything a node must check before accepting a record under {@code key}:
   * the address is valid and hashes to {@code key}, the ciphertext hash matches, the signature
   * verifies.
   */
  public ContentEnvelope decodeAndVerify(String key, byte[] value) throws InvalidEnvelopeException {
    ContentEnvelope envelope = decode(value);
    verify(key, envelope);
    return envelope;
  }

  /** See {@link #decodeAndVerify}. */
  public static void verify(String key, ContentEnvelope envelope) throws InvalidEnvelopeException {
    EnvelopeMetadata m = envelope.metadata();
    UcxlAddress address;
    try {
      address = UcxlAddress.parse(m.address());
    } catch (InvalidUcxlAddressException e) {
      throw new InvalidEnvelopeException("envelope address is invalid: " + e.reason());
    }
    if (!address.canonical().equals(m.address())) {
      throw new InvalidEnvelopeException("envelope address is not in canonical form");
    }
    if (key != null && !address.dhtKey().equals(key)) {
      throw new InvalidEnvelopeException("envelope address does not hash to key " + key);
    }
    if (m.encryptedFor().isEmpty()) {
      throw new InvalidEnvelopeException("envelope is encrypted for no role");
    }
    if (m.size() < 0 || m.version() < 1 || m.replicationFactor() < 1) {
      throw new InvalidEnvelopeException("envelope size, version or replication is out of range");
    }
    if (!sha256Hex(envelope.ciphertext()).equals(m.sha256())) {
      throw new InvalidEnvelopeException("ciphertext SHA-256 does not match the metadata");
    }
    if (envelope.publicKey().length != 32) {
      throw new InvalidEnvelopeException("creator public key is not a 32-byte Ed25519 key");
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(ed25519PublicKey(envelope.publicKey()));
      verifier.update(signingInput(m, envelope.ciphertext(), envelope.publicKey()));
      if (!verifier.verify(envelope.signature())) {
        throw new InvalidEnvelopeException("envelope signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidEnvelopeException("envelope signature does not verify: " + e.getMessage());
    }
  }

  /**
   * The bytes the creator signs: the context tag, then each metadata field, the ciphertext and the
   * public key, each length-prefixed (big-endian int) or fixed-width (big-endian long/int).
   */
  public static byte[] signingInput(EnvelopeMetadata m, byte[] ciphertext, byte[] publicKey) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(ciphertext.length + 512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      bytes(out, SIGNING_CONTEXT.getBytes(StandardCharsets.UTF_8));
      text(out, m.address());
      text(out, m.creatorRole());
      text(out, m.creatorNode());
      out.writeInt(m.encryptedFor().size());
      for (String role : m.encryptedFor()) {
        text(out, role);
      }
      text(out, m.contentType());
      out.writeLong(m.timestamp().toEpochMilli());
      out.writeLong(m.size());
      text(out, m.sha256());
      out.writeInt(m.replicationFactor());
      out.writeLong(m.version());
      bytes(out, ciphertext);
      bytes(out, publicKey);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer.toByteArray();
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    bytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The raw 32 bytes of a JDK Ed25519 public key. */
  public static byte[] rawEd25519(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded.length != ED25519_X509_PREFIX.length + 32) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    byte[] raw = new byte[32];
    System.arraycopy(encoded, ED25519_X509_PREFIX.length, raw, 0, 32);
    return raw;
  }

  private static PublicKey ed25519PublicKey(byte[] raw) throws GeneralSecurityException {
    byte[] encoded = new byte[ED25519_X509_PREFIX.length + raw.length];
    System.arraycopy(ED25519_X509_PREFIX, 0, encoded, 0, ED25519_X509_PREFIX.length);
    System.arraycopy(raw, 0, encoded, ED25519_X509_PREFIX.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  record Wire(
      int v, WireMetadata metadata, String ciphertext, String publicKey, String signature) {}

  record WireMetadata(
      String address,
      String creatorRole,
      String creatorNode,
      List<String> encryptedFor,
      String contentType,
      String timestamp,
      long size,
      String sha256,
      int replicationFactor,
      long version) {}
}
