package org.chorus.dht.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.ucxl.InvalidUcxlAddressException;
import org.chorus.dht.ucxl.UcxlAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes, decodes, signs and verifies {@link ContentEnvelope}s.
 *
 * <p>Wire form (format 2): a UTF-8 JSON object {@code {"v":2,"metadata":{...,"deleted":false},
 * "ciphertext":b64,"nodeKey":b64,"nodeSignature":b64,"roleSignature":b64}} (standard base64, raw
 * 32-byte Ed25519 key, 64-byte signatures). Signatures cover not the JSON text but a fixed binary
 * encoding of every field ({@link #signingInput}), so re-serialising the JSON cannot break them:
 * the creator role's signing key signs the signing input; the writing node's key signs the signing
 * input followed by the role signature.
 *
 * <p>Format 1 (before role signatures: {@code "publicKey"} and {@code "signature"} of the node key
 * only) is still decoded, as an envelope whose {@link ContentEnvelope#legacy()} is true, so a node
 * can re-sign its own old records ({@link #verifyLegacy}); {@link #verify} refuses it.
 *
 * <p>Ordering ({@link #compare}): the higher version is better; at equal versions the lower {@link
 * #tiebreak} (SHA-256 of the signing input), the same rule on every node and never a timestamp a
 * writer picks.
 *
 * <p>Thread-safe: instances hold only immutable configuration.
 */
public final class EnvelopeCodec {

  /** Envelope format written. */
  public static final int VERSION = 2;

  /** The format before role signatures, still decoded. */
  public static final int LEGACY_VERSION = 1;

  /** Largest version accepted: versions stay exact in JSON numbers and far from overflow. */
  public static final long MAX_VERSION = (1L << 53) - 1;

  /** Domain separation tag at the start of the signing input. */
  static final String SIGNING_CONTEXT = "chorus-dht/ucxl-envelope/v2";

  static final String LEGACY_SIGNING_CONTEXT = "chorus-dht/ucxl-envelope/v1";

  private static final byte[] ED25519_PROTOBUF_PREFIX = {0x08, 0x01, 0x12, 0x20};

  private static final JsonMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Envelopes whose signatures are known good, so each is verified once (see the class). */
  private static final VerifiedSignatures VERIFIED = new VerifiedSignatures();

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

  /**
   * Signs the metadata and ciphertext: the role key first, then the node key over the signing input
   * and the role signature. The metadata's {@code creatorNode} must be the peer id of {@code node}.
   */
  public static ContentEnvelope seal(
      EnvelopeMetadata metadata, byte[] ciphertext, EnvelopeSigner role, EnvelopeSigner node) {
    byte[] nodeKey = node.publicKey();
    byte[] input = signingInput(metadata, ciphertext, nodeKey);
    byte[] roleSignature = role.sign(input);
    byte[] nodeSignature = node.sign(concat(input, roleSignature));
    VERIFIED.add(
        VerifiedSignatures.key(role.publicKey(), nodeKey, input, roleSignature, nodeSignature));
    return new ContentEnvelope(metadata, ciphertext, nodeKey, nodeSignature, roleSignature);
  }

  /** The peer id (base58) of a raw Ed25519 public key: what {@code creatorNode} must say. */
  public static String peerIdOf(byte[] ed25519PublicKey) {
    return PeerId.fromPublicKeyProtobuf(concat(ED25519_PROTOBUF_PREFIX, ed25519PublicKey))
        .toString();
  }

  /** The JSON wire form (format 2; format 1 for a legacy envelope). */
  public byte[] encode(ContentEnvelope envelope) {
    EnvelopeMetadata m = envelope.metadata();
    WireMetadata meta =
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
            m.version(),
            envelope.legacy() ? null : m.deleted());
    Base64.Encoder b64 = Base64.getEncoder();
    Wire wire =
        envelope.legacy()
            ? new Wire(
                LEGACY_VERSION,
                meta,
                b64.encodeToString(envelope.ciphertext()),
                null,
                null,
                null,
                b64.encodeToString(envelope.nodeKey()),
                b64.encodeToString(envelope.nodeSignature()))
            : new Wire(
                VERSION,
                meta,
                b64.encodeToString(envelope.ciphertext()),
                b64.encodeToString(envelope.nodeKey()),
                b64.encodeToString(envelope.nodeSignature()),
                b64.encodeToString(envelope.roleSignature()),
                null,
                null);
    return JSON.writeValueAsBytes(wire);
  }

  /** Parses the wire form without checking signatures or hash; see {@link #decodeAndVerify}. */
  public ContentEnvelope decode(byte[] value) throws InvalidEnvelopeException {
    if (value.length > maxValueBytes) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.TOO_LARGE,
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
    if (wire.v() != VERSION && wire.v() != LEGACY_VERSION) {
      throw new InvalidEnvelopeException("unsupported envelope version " + wire.v());
    }
    boolean legacy = wire.v() == LEGACY_VERSION;
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
              w.version(),
              !legacy && Boolean.TRUE.equals(w.deleted()));
      Base64.Decoder b64 = Base64.getDecoder();
      return legacy
          ? new ContentEnvelope(
              metadata,
              b64.decode(wire.ciphertext()),
              b64.decode(wire.publicKey()),
              b64.decode(wire.signature()),
              new byte[0])
          : new ContentEnvelope(
              metadata,
              b64.decode(wire.ciphertext()),
              b64.decode(wire.nodeKey()),
              b64.decode(wire.nodeSignature()),
              b64.decode(wire.roleSignature()));
    } catch (NullPointerException | IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidEnvelopeException("failed to parse envelope: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes and checks everything a node must check before accepting a record under {@code key}
   * ({@link #verify}).
   */
  public ContentEnvelope decodeAndVerify(String key, byte[] value, WriteAuthority authority)
      throws InvalidEnvelopeException {
    ContentEnvelope envelope = decode(value);
    verify(key, envelope, authority);
    return envelope;
  }

  /**
   * Everything a node checks before it accepts or serves an envelope under {@code key} (null: any
   * key): the canonical address hashes to the key; the fields are in range (a tombstone has no
   * ciphertext); the ciphertext hash matches; the creator role may write the address (its own role
   * segment, or admin authority; never read-only) per {@code authority}; the role signature
   * verifies against the role's signing key known to this node (never a key the envelope carries);
   * {@code creatorNode} is the peer id of the node key and the node signature verifies.
   */
  public static void verify(String key, ContentEnvelope envelope, WriteAuthority authority)
      throws InvalidEnvelopeException {
    if (envelope.legacy()) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.UNAUTHORIZED,
          "envelope format 1 has no role signature (written before role signing keys)");
    }
    UcxlAddress address = checkFields(key, envelope);
    EnvelopeMetadata m = envelope.metadata();
    var refusal = authority.refusal(m.creatorRole(), address.role());
    if (refusal.isPresent()) {
      throw new InvalidEnvelopeException(InvalidEnvelopeException.Kind.UNAUTHORIZED, refusal.get());
    }
    byte[] roleKey =
        authority
            .signerKey(m.creatorRole())
            .orElseThrow(
                () ->
                    new InvalidEnvelopeException(
                        InvalidEnvelopeException.Kind.UNAUTHORIZED,
                        "no signing key known for role '" + m.creatorRole() + "'"));
    if (envelope.nodeKey().length != Ed25519Keys.KEY_BYTES) {
      throw new InvalidEnvelopeException("node key is not a 32-byte Ed25519 key");
    }
    byte[] input = signingInput(m, envelope.ciphertext(), envelope.nodeKey());
    ByteBuffer remembered =
        VerifiedSignatures.key(
            roleKey, envelope.nodeKey(), input, envelope.roleSignature(), envelope.nodeSignature());
    boolean known = VERIFIED.contains(remembered);
    if (!known && !Ed25519Keys.verify(roleKey, input, envelope.roleSignature())) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.BAD_SIGNATURE,
          "role signature of '" + m.creatorRole() + "' does not verify");
    }
    if (!m.creatorNode().equals(peerIdOf(envelope.nodeKey()))) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.BAD_SIGNATURE, "creatorNode is not the node key's peer id");
    }
    if (known) {
      return;
    }
    if (!Ed25519Keys.verify(
        envelope.nodeKey(), concat(input, envelope.roleSignature()), envelope.nodeSignature())) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.BAD_SIGNATURE, "node signature does not verify");
    }
    VERIFIED.add(remembered);
  }

  /**
   * Checks a format-1 envelope as format 1 did (address, hash, the node signature against the key
   * it carries): for re-signing a node's own old records, never for accepting records.
   */
  public static void verifyLegacy(String key, ContentEnvelope envelope)
      throws InvalidEnvelopeException {
    if (!envelope.legacy()) {
      throw new InvalidEnvelopeException("not a format 1 envelope");
    }
    checkFields(key, envelope);
    if (envelope.nodeKey().length != Ed25519Keys.KEY_BYTES
        || !Ed25519Keys.verify(
            envelope.nodeKey(),
            legacySigningInput(envelope.metadata(), envelope.ciphertext(), envelope.nodeKey()),
            envelope.nodeSignature())) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.BAD_SIGNATURE, "format 1 signature does not verify");
    }
  }

  private static UcxlAddress checkFields(String key, ContentEnvelope envelope)
      throws InvalidEnvelopeException {
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
    if (m.version() < 1 || m.version() > MAX_VERSION) {
      throw new InvalidEnvelopeException("envelope version out of range 1.." + MAX_VERSION);
    }
    if (m.size() < 0 || m.replicationFactor() < 1) {
      throw new InvalidEnvelopeException("envelope size or replication is out of range");
    }
    if (m.deleted()) {
      if (envelope.ciphertext().length != 0 || m.size() != 0) {
        throw new InvalidEnvelopeException("a tombstone carries no content");
      }
    } else if (m.encryptedFor().isEmpty()) {
      throw new InvalidEnvelopeException("envelope is encrypted for no role");
    }
    if (!sha256Hex(envelope.ciphertext()).equals(m.sha256())) {
      throw new InvalidEnvelopeException(
          InvalidEnvelopeException.Kind.BAD_SIGNATURE,
          "ciphertext SHA-256 does not match the metadata");
    }
    return address;
  }

  /**
   * Orders two envelopes of one address: positive when {@code a} is better (higher version, or the
   * same version and a lower {@link #tiebreak}), zero when they are the same signed content.
   */
  public static int compare(ContentEnvelope a, ContentEnvelope b) {
    int byVersion = Long.compare(a.metadata().version(), b.metadata().version());
    if (byVersion != 0) {
      return byVersion;
    }
    return tiebreak(b).compareTo(tiebreak(a));
  }

  /** Lower-case hex SHA-256 of the signing input: the equal-version tiebreak, lower wins. */
  public static String tiebreak(ContentEnvelope e) {
    return sha256Hex(signingInput(e.metadata(), e.ciphertext(), e.nodeKey()));
  }

  /**
   * The bytes the role signs (and, followed by the role signature, the node): the context tag, then
   * each metadata field, the ciphertext and the node key, each length-prefixed (big-endian int) or
   * fixed-width (big-endian long/int, one byte for the tombstone flag).
   */
  public static byte[] signingInput(EnvelopeMetadata m, byte[] ciphertext, byte[] nodeKey) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(ciphertext.length + 512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      bytes(out, SIGNING_CONTEXT.getBytes(StandardCharsets.UTF_8));
      fields(out, m);
      out.writeBoolean(m.deleted());
      bytes(out, ciphertext);
      bytes(out, nodeKey);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer.toByteArray();
  }

  /** Format 1's signing input (no tombstone flag, the v1 context). */
  static byte[] legacySigningInput(EnvelopeMetadata m, byte[] ciphertext, byte[] publicKey) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(ciphertext.length + 512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      bytes(out, LEGACY_SIGNING_CONTEXT.getBytes(StandardCharsets.UTF_8));
      fields(out, m);
      bytes(out, ciphertext);
      bytes(out, publicKey);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer.toByteArray();
  }

  private static void fields(DataOutputStream out, EnvelopeMetadata m) throws IOException {
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
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    bytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Wire(
      int v,
      WireMetadata metadata,
      String ciphertext,
      String nodeKey,
      String nodeSignature,
      String roleSignature,
      String publicKey,
      String signature) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
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
      long version,
      Boolean deleted) {}
}
