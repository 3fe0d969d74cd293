package org.chorus.dht.kad.records;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.crypto.PublicKeys;

/**
 * A signed peer record, the value under {@code /CHORUS/peer/<peerId>} (ARCHITECTURE.md "Peer
 * records"): what a peer says about itself (agent version, role, capabilities, addresses), when it
 * said it, its sequence number and until when it holds, signed by the peer's libp2p identity key; a
 * role claim is also signed by the role's Ed25519 signing key.
 *
 * <p>Wire form {@value #FORMAT} (deterministic, big-endian, every variable field length-prefixed by
 * a 4-byte int): format byte, the signer's protobuf libp2p public key, agent version, role (UTF-8,
 * empty for none), capability count and capabilities, address count and binary multiaddrs,
 * timestamp, sequence, expiry (8 bytes each; times in epoch millis) — the <i>body</i> — then the
 * role signature (64 bytes when the role is not empty, else none) and the node signature. The role
 * signature covers {@link #ROLE_CLAIM_CONTEXT} followed by the body, so it binds the role and the
 * capabilities to this peer's key, this sequence and this expiry: it cannot be moved onto another
 * peer or another record. The node signature covers {@link #SIGNING_CONTEXT} followed by every byte
 * before it. Format 1 (no sequence, expiry or role claim) is refused. Not protobuf: protobuf types
 * stay in {@code kad.wire}, and this encoding has a single byte form per record (texts must be
 * well-formed UTF-8), so it cannot be re-serialised into another.
 *
 * <p>Every field is bounded by a named cap; {@link #verify} checks them before allocating. What
 * needs a clock (expiry) is {@link #checkTime}; what needs the role's key is {@link
 * Verified#roleClaimVerifies}. Immutable and thread-safe.
 *
 * @param timestamp creation time at millisecond precision
 * @param sequence the peer's record counter, higher is newer; never negative
 * @param expiresAt end of validity at millisecond precision, after {@code timestamp} and at most
 *     {@link #MAX_LIFETIME} after it
 */
public record PeerRecord(
    String agentVersion,
    String role,
    List<String> capabilities,
    List<Multiaddr> addresses,
    Instant timestamp,
    long sequence,
    Instant expiresAt) {

  /** Key prefix of the namespace. */
  public static final String DHT_KEY_PREFIX = "/CHORUS/peer/";

  /** Domain separation tag at the start of the node signature's input. */
  public static final String SIGNING_CONTEXT = "chorus-dht/peer-record/v2";

  /** Domain separation tag at the start of the role signature's input. */
  public static final String ROLE_CLAIM_CONTEXT = "chorus-dht/peer-record/role-claim/v2";

  /** Format byte. */
  public static final int FORMAT = 2;

  /** The format before sequence numbers, expiry and role claims; refused. */
  public static final int FORMAT_V1 = 1;

  /**
   * Validity of the records this node signs: the DHT record lifetime, so a record lives as long as
   * the copies that hold it; nodes re-announce every 22 h, well inside it.
   */
  public static final Duration DEFAULT_LIFETIME = Duration.ofHours(48);

  /**
   * Named cap: the longest validity a record may claim, from its timestamp and from now (a record
   * that claims longer is refused).
   */
  public static final Duration MAX_LIFETIME = Duration.ofDays(7);

  /** Named cap: the largest encoded record. */
  public static final int MAX_VALUE_BYTES = 16 * 1024;

  /** Named cap: capabilities per record. */
  public static final int MAX_CAPABILITIES = 64;

  /** Named cap: addresses per record (as for provider records). */
  public static final int MAX_ADDRESSES = ProviderStore.MAX_ADDRS;

  /** Named cap: UTF-8 bytes of the agent version, the role and each capability. */
  public static final int MAX_TEXT_BYTES = 256;

  /** Named cap: bytes of the node signature (an RSA-8192 signature is 1024). */
  public static final int MAX_SIGNATURE_BYTES = 1024;

  public PeerRecord {
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(role, "role");
    capabilities = List.copyOf(capabilities);
    addresses = List.copyOf(addresses);
    timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
    expiresAt = expiresAt.truncatedTo(ChronoUnit.MILLIS);
    if (capabilities.size() > MAX_CAPABILITIES || addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("too many capabilities or addresses");
    }
    for (String s : concat(List.of(agentVersion, role), capabilities)) {
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
        throw new IllegalArgumentException("text field longer than " + MAX_TEXT_BYTES + " bytes");
      }
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence " + sequence + " is negative");
    }
    if (!expiresAt.isAfter(timestamp)
        || Duration.between(timestamp, expiresAt).compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "expiry must be after the timestamp and at most " + MAX_LIFETIME + " after it");
    }
  }

  /** A record created at {@code timestamp}, valid for {@link #DEFAULT_LIFETIME}. */
  public static PeerRecord of(
      String agentVersion,
      String role,
      List<String> capabilities,
      List<Multiaddr> addresses,
      Instant timestamp,
      long sequence) {
    return new PeerRecord(
        agentVersion,
        role,
        capabilities,
        addresses,
        timestamp,
        sequence,
        timestamp.plus(DEFAULT_LIFETIME));
  }

  /** Signs a role claim: the Ed25519 signature of {@code message} by the role's signing key. */
  @FunctionalInterface
  public interface RoleClaimSigner {
    byte[] sign(byte[] message);
  }

  /**
   * A record whose structure and node signature verified: who signed it, what it says, and the role
   * claim, which only a key of the role can check.
   */
  public static final class Verified {
    private final PeerId peerId;
    private final PeerRecord record;
    private final byte[] body;
    private final byte[] roleSignature;

    private Verified(PeerId peerId, PeerRecord record, byte[] body, byte[] roleSignature) {
      this.peerId = peerId;
      this.record = record;
      this.body = body;
      this.roleSignature = roleSignature;
    }

    public PeerId peerId() {
      return peerId;
    }

    public PeerRecord record() {
      return record;
    }

    /**
     * Whether the record claims a role and its role signature verifies under {@code rolePublicKey}
     * (the raw 32-byte Ed25519 key of that role).
     */
    public boolean roleClaimVerifies(byte[] rolePublicKey) {
      return !record.role().isEmpty()
          && Ed25519Keys.verify(
              rolePublicKey, signingInput(ROLE_CLAIM_CONTEXT, body, body.length), roleSignature);
    }
  }

  /** The DHT key {@code /CHORUS/peer/<base58 peer id>} of a peer's record. */
  public static byte[] dhtKey(PeerId peer) {
    return (DHT_KEY_PREFIX + peer.toBase58()).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The signed wire form of a record without a role; store it under {@code dhtKey(key.peerId())}.
   *
   * @throws IllegalStateException if the record claims a role (use {@link #sign(IdentityKey,
   *     RoleClaimSigner)})
   */
  public byte[] sign(IdentityKey key) {
    if (!role.isEmpty()) {
      throw new IllegalStateException("a role claim needs the role's signing key");
    }
    return encode(key, body(key.publicKeyProtobuf()), new byte[0]);
  }

  /**
   * The signed wire form, the role claim signed by {@code roleKey} (which must be the signing key
   * of {@link #role()}) and the record by the node's {@code key}.
   *
   * @throws IllegalStateException if the record claims no role or the role signature is not 64
   *     bytes
   */
  public byte[] sign(IdentityKey key, RoleClaimSigner roleKey) {
    if (role.isEmpty()) {
      throw new IllegalStateException("a record without a role has no role claim to sign");
    }
    byte[] body = body(key.publicKeyProtobuf());
    byte[] roleSignature = roleKey.sign(signingInput(ROLE_CLAIM_CONTEXT, body, body.length));
    if (roleSignature.length != Ed25519Keys.SIGNATURE_BYTES) {
      throw new IllegalStateException("role signature is not an Ed25519 signature");
    }
    return encode(key, body, roleSignature);
  }

  private static byte[] encode(IdentityKey key, byte[] body, byte[] roleSignature) {
    ByteBuffer signed = ByteBuffer.allocate(body.length + 4 + roleSignature.length);
    signed.put(body).putInt(roleSignature.length).put(roleSignature);
    byte[] signature = key.sign(signingInput(SIGNING_CONTEXT, signed.array(), signed.capacity()));
    return ByteBuffer.allocate(signed.capacity() + 4 + signature.length)
        .put(signed.array())
        .putInt(signature.length)
        .put(signature)
        .array();
  }

  /**
   * Decodes {@code value} and checks that it is the record of the peer named in {@code key}: the
   * key is {@code /CHORUS/peer/<peerId>}, the embedded public key derives that peer id, the node
   * signature verifies, and a role, if claimed, carries a role signature (not yet checked: see
   * {@link Verified#roleClaimVerifies}). Does not look at the clock ({@link #checkTime}).
   *
   * @throws InvalidRecordException saying why not: {@code TOO_LARGE}, {@code MALFORMED} (also for
   *     format 1), {@code UNAUTHORIZED} (signed by another peer), {@code BAD_SIGNATURE}
   */
  public static Verified verify(byte[] key, byte[] value) {
    PeerId expected = peerIdOf(key);
    if (value.length > MAX_VALUE_BYTES) {
      throw invalid(
          Reason.TOO_LARGE, "record is " + value.length + " bytes, limit " + MAX_VALUE_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      int format = in.get() & 0xff;
      if (format == FORMAT_V1) {
        throw invalid(
            "format 1 (without sequence, expiry and role claim) is no longer accepted; the peer"
                + " publishes format "
                + FORMAT
                + " when it re-announces");
      }
      if (format != FORMAT) {
        throw invalid("unknown peer record format " + format);
      }
      byte[] publicKey = bytes(in, PublicKeys.MAX_ENCODED);
      String agentVersion = text(in);
      String role = text(in);
      List<String> capabilities = new ArrayList<>();
      int n = count(in, MAX_CAPABILITIES);
      for (int i = 0; i < n; i++) {
        capabilities.add(text(in));
      }
      List<Multiaddr> addresses = new ArrayList<>();
      n = count(in, MAX_ADDRESSES);
      for (int i = 0; i < n; i++) {
        addresses.add(Multiaddr.fromBytes(bytes(in, Multiaddr.MAX_BYTES)));
      }
      Instant timestamp = Instant.ofEpochMilli(in.getLong());
      long sequence = in.getLong();
      Instant expiresAt = Instant.ofEpochMilli(in.getLong());
      int bodyLength = in.position();
      byte[] roleSignature = bytes(in, Ed25519Keys.SIGNATURE_BYTES);
      int signedLength = in.position();
      byte[] signature = bytes(in, MAX_SIGNATURE_BYTES);
      if (in.hasRemaining()) {
        throw invalid("trailing bytes after the signature");
      }
      int expectedRoleSignature = role.isEmpty() ? 0 : Ed25519Keys.SIGNATURE_BYTES;
      if (roleSignature.length != expectedRoleSignature) {
        throw invalid(
            "role signature is "
                + roleSignature.length
                + " bytes, expected "
                + expectedRoleSignature
                + (role.isEmpty() ? " (no role claimed)" : " (role '" + role + "')"));
      }
      PeerRecord record =
          new PeerRecord(
              agentVersion, role, capabilities, addresses, timestamp, sequence, expiresAt);
      PeerId signer = PublicKeys.decode(publicKey).peerId();
      if (!signer.equals(expected)) {
        throw invalid(
            Reason.UNAUTHORIZED, "record is signed by " + signer + ", not by " + expected);
      }
      if (!PublicKeys.verify(
          publicKey, signingInput(SIGNING_CONTEXT, value, signedLength), signature)) {
        throw invalid(Reason.BAD_SIGNATURE, "node signature does not verify");
      }
      return new Verified(signer, record, Arrays.copyOf(value, bodyLength), roleSignature);
    } catch (BufferUnderflowException e) {
      throw invalid("record is truncated");
    } catch (IllegalArgumentException | DateTimeException e) {
      throw invalid(e.getMessage());
    }
  }

  /** Whether the record has expired at {@code now}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /**
   * Checks the record against the clock: not expired ({@code EXPIRED}) and not claiming validity
   * beyond {@code now + MAX_LIFETIME} ({@code MALFORMED}: a timestamp far in the future).
   *
   * @throws InvalidRecordException saying why not
   */
  public void checkTime(Instant now) {
    if (isExpired(now)) {
      throw invalid(Reason.EXPIRED, "record expired at " + expiresAt);
    }
    if (expiresAt.isAfter(now.plus(MAX_LIFETIME))) {
      throw invalid("record claims validity until " + expiresAt + ", beyond " + MAX_LIFETIME);
    }
  }

  /** The peer id named by a {@code /CHORUS/peer/<peerId>} key. */
  public static PeerId peerIdOf(byte[] key) {
    String k = new String(key, StandardCharsets.UTF_8);
    if (!k.startsWith(DHT_KEY_PREFIX)) {
      throw invalid("key is not " + DHT_KEY_PREFIX + "<peerId>");
    }
    try {
      return PeerId.parse(k.substring(DHT_KEY_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw invalid("key names no valid peer id: " + e.getMessage());
    }
  }

  private byte[] body(byte[] publicKeyProtobuf) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeByte(FORMAT);
      writeBytes(out, publicKeyProtobuf);
      writeText(out, agentVersion);
      writeText(out, role);
      out.writeInt(capabilities.size());
      for (String c : capabilities) {
        writeText(out, c);
      }
      out.writeInt(addresses.size());
      for (Multiaddr a : addresses) {
        writeBytes(out, a.toBytes());
      }
      out.writeLong(timestamp.toEpochMilli());
      out.writeLong(sequence);
      out.writeLong(expiresAt.toEpochMilli());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** {@code context} followed by the first {@code length} bytes of {@code data}. */
  private static byte[] signingInput(String context, byte[] data, int length) {
    byte[] tag = context.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(tag.length + length).put(tag).put(data, 0, length).array();
  }

  private static void writeText(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static int count(ByteBuffer in, int max) {
    int n = in.getInt();
    if (n < 0 || n > max) {
      throw invalid("count " + n + " out of range 0.." + max);
    }
    return n;
  }

  private static byte[] bytes(ByteBuffer in, int max) {
    int n = count(in, Math.min(max, in.remaining()));
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /** Well-formed UTF-8 only, so that a decoded record encodes to the same bytes. */
  private static String text(ByteBuffer in) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes(in, MAX_TEXT_BYTES)))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalid("text field is not well-formed UTF-8");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static InvalidRecordException invalid(String why) {
    return invalid(Reason.MALFORMED, why);
  }

  private static InvalidRecordException invalid(Reason reason, String why) {
    return new InvalidRecordException(reason, "failed to validate peer record: " + why);
  }
}
