package org.chorus.dht.kad.key;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A point in the 256-bit Kademlia keyspace: the SHA-256 of a peer id's multihash bytes or of a
 * record key's bytes (libp2p specs {@code kad-dht/README.md}, "Distance"). Held as four longs so
 * XOR and prefix comparisons need no allocation. Immutable, thread-safe. Ordered by unsigned
 * big-endian value.
 */
public final class KadKey implements Comparable<KadKey> {

  /** Length of a key in bytes. */
  public static final int BYTES = 32;

  /** Length of a key in bits. */
  public static final int BITS = 256;

  final long w0;
  final long w1;
  final long w2;
  final long w3;

  KadKey(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  /** The key of a peer: SHA-256 of its multihash bytes. */
  public static KadKey of(PeerId peer) {
    return ofRecordKey(peer.toBytes());
  }

  /** The key of a record or provider key: SHA-256 of its bytes. */
  public static KadKey ofRecordKey(byte[] key) {
    return fromBytes(sha256(key));
  }

  /** A key from its 32 raw bytes (already hashed). */
  public static KadKey fromBytes(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("kad key must be 32 bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new KadKey(b.getLong(), b.getLong(), b.getLong(), b.getLong());
  }

  /** The 32 raw bytes (a fresh copy). */
  public byte[] toBytes() {
    return ByteBuffer.allocate(BYTES).putLong(w0).putLong(w1).putLong(w2).putLong(w3).array();
  }

  /** The XOR distance to another key. */
  public Distance distance(KadKey other) {
    return new Distance(w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3);
  }

  /** Number of leading bits shared with {@code other}: 0..256 (256 when equal). */
  public int commonPrefixLength(KadKey other) {
    return Distance.leadingZeros(w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3);
  }

  /**
   * Compares the distances of {@code a} and {@code b} to this key without allocating: negative when
   * {@code a} is closer.
   */
  public int compareDistance(KadKey a, KadKey b) {
    int c = Long.compareUnsigned(a.w0 ^ w0, b.w0 ^ w0);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a.w1 ^ w1, b.w1 ^ w1);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a.w2 ^ w2, b.w2 ^ w2);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(a.w3 ^ w3, b.w3 ^ w3);
  }

  /**
   * A random-looking key whose first {@code cpl} bits equal this key's and whose bit {@code cpl}
   * differs, so that {@code commonPrefixLength(result) == cpl}: the target of a bucket refresh. The
   * remaining bits come from {@code randomBits}.
   */
  public KadKey withCommonPrefix(int cpl, KadKey randomBits) {
    if (cpl < 0 || cpl >= BITS) {
      throw new IllegalArgumentException("cpl must be in [0, 256): " + cpl);
    }
    long[] mine = {w0, w1, w2, w3};
    long[] rnd = {randomBits.w0, randomBits.w1, randomBits.w2, randomBits.w3};
    long[] out = new long[4];
    for (int word = 0; word < 4; word++) {
      int start = word * 64;
      if (cpl >= start + 64) {
        out[word] = mine[word];
      } else if (cpl < start) {
        out[word] = rnd[word];
      } else {
        int bit = cpl - start; // 0..63, counted from the most significant bit
        long prefixMask = bit == 0 ? 0L : -1L << (64 - bit);
        long flip = 1L << (63 - bit);
        long suffixMask = ~prefixMask & ~flip;
        out[word] = (mine[word] & prefixMask) | (~mine[word] & flip) | (rnd[word] & suffixMask);
      }
    }
    return new KadKey(out[0], out[1], out[2], out[3]);
  }

  /** Compares two 256-bit values given as big-endian 64-bit words, unsigned. */
  static int compareWords(long a0, long a1, long a2, long a3, long b0, long b1, long b2, long b3) {
    int c = Long.compareUnsigned(a0, b0);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a1, b1);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a2, b2);
    return c != 0 ? c : Long.compareUnsigned(a3, b3);
  }

  @Override
  public int compareTo(KadKey o) {
    return KadKey.compareWords(w0, w1, w2, w3, o.w0, o.w1, o.w2, o.w3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadKey other
        && w0 == other.w0
        && w1 == other.w1
        && w2 == other.w2
        && w3 == other.w3;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(w0 ^ w1 ^ w2 ^ w3);
  }

  @Override
  public String toString() {
    return String.format("%016x%016x%016x%016x", w0, w1, w2, w3);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
