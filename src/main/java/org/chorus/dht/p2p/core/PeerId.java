package org.chorus.dht.p2p.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A libp2p peer id: the multihash of the peer's protobuf-encoded public key (peer-ids/peer-ids.md).
 * Keys of at most {@link #MAX_INLINE_KEY} bytes are inlined with the identity multihash (Ed25519 →
 * {@code 12D3KooW…}, secp256k1 → {@code 16Uiu2…}); larger keys (RSA) use sha2-256 ({@code Qm…}).
 * Text forms: base58btc of the multihash, or a CIDv1 with the {@code libp2p-key} codec in any of
 * base32 ({@code b…}) or base58btc ({@code z…}). Immutable and thread-safe.
 */
public final class PeerId {
  /** multihash code of the identity "hash". */
  public static final int IDENTITY = 0x00;

  /** multihash code of sha2-256. */
  public static final int SHA2_256 = 0x12;

  /** multicodec of libp2p-key, used in the CID text form. */
  public static final int LIBP2P_KEY_CODEC = 0x72;

  /** Public keys up to this many protobuf bytes are inlined (identity multihash). */
  public static final int MAX_INLINE_KEY = 42;

  /** Longest identity-multihash digest accepted from a peer (bounds hostile input). */
  public static final int MAX_IDENTITY_DIGEST = 128;

  private final byte[] bytes;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Parses and validates multihash bytes. */
  public static PeerId fromBytes(byte[] multihash) {
    ByteBuffer buf = ByteBuffer.wrap(multihash);
    long code;
    long len;
    try {
      code = Varint.readComplete(buf);
      len = Varint.readComplete(buf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid peer id multihash: " + e.getMessage());
    }
    if (code == SHA2_256) {
      if (len != 32) {
        throw new IllegalArgumentException("invalid peer id: sha2-256 digest of length " + len);
      }
    } else if (code == IDENTITY) {
      if (len > MAX_IDENTITY_DIGEST) {
        throw new IllegalArgumentException("invalid peer id: identity digest too long: " + len);
      }
    } else {
      throw new IllegalArgumentException("invalid peer id: unsupported multihash code " + code);
    }
    if (buf.remaining() != len) {
      throw new IllegalArgumentException(
          "invalid peer id: digest length " + len + " but " + buf.remaining() + " bytes follow");
    }
    return new PeerId(multihash.clone());
  }

  /** Derives the peer id of a protobuf-encoded libp2p {@code PublicKey}. */
  public static PeerId fromPublicKeyProtobuf(byte[] publicKeyProtobuf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (publicKeyProtobuf.length <= MAX_INLINE_KEY) {
      out.write(IDENTITY);
      out.writeBytes(Varint.encode(publicKeyProtobuf.length));
      out.writeBytes(publicKeyProtobuf);
    } else {
      out.write(SHA2_256);
      out.write(32);
      out.writeBytes(sha256(publicKeyProtobuf));
    }
    return new PeerId(out.toByteArray());
  }

  /** Parses base58btc ({@code Qm…}, {@code 12D3…}, {@code 16U…}) or a libp2p-key CIDv1. */
  public static PeerId parse(String text) {
    if (text.isEmpty() || text.length() > Multibase.MAX_TEXT) {
      throw new IllegalArgumentException("invalid peer id text of length " + text.length());
    }
    char first = text.charAt(0);
    if (first == 'Q' || first == '1') {
      return fromBytes(Multibase.decodeBase58(text));
    }
    byte[] cid;
    if (first == 'b' || first == 'B') {
      cid = Multibase.decodeBase32(text.substring(1));
    } else if (first == 'z') {
      cid = Multibase.decodeBase58(text.substring(1));
    } else {
      throw new IllegalArgumentException("invalid peer id: unknown text form '" + text + "'");
    }
    ByteBuffer buf = ByteBuffer.wrap(cid);
    try {
      long version = Varint.readComplete(buf);
      long codec = Varint.readComplete(buf);
      if (version != 1 || codec != LIBP2P_KEY_CODEC) {
        throw new IllegalArgumentException(
            "invalid peer id: CID version " + version + " codec 0x" + Long.toHexString(codec));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid peer id CID: " + e.getMessage());
    }
    return fromBytes(Arrays.copyOfRange(cid, buf.position(), cid.length));
  }

  /** The multihash bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** For identity multihashes: the inlined protobuf public key; otherwise null. */
  public byte[] inlinedPublicKey() {
    if (bytes[0] != IDENTITY) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    Varint.readComplete(buf);
    Varint.readComplete(buf);
    return Arrays.copyOfRange(bytes, buf.position(), bytes.length);
  }

  /** base58btc of the multihash, the usual text form. */
  public String toBase58() {
    return Multibase.base58(bytes);
  }

  /** CIDv1 (libp2p-key) in multibase base32, e.g. {@code bafzaa…}. */
  public String toCidV1() {
    byte[] cid = new byte[2 + bytes.length];
    cid[0] = 1;
    cid[1] = (byte) LIBP2P_KEY_CODEC;
    System.arraycopy(bytes, 0, cid, 2, bytes.length);
    return "b" + Multibase.base32(cid);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId p && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toBase58();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
