package org.chorus.dht.kad.key;

import java.nio.ByteBuffer;

/**
 * The XOR distance of two {@link KadKey}s, an unsigned 256-bit integer (Kademlia paper, sec. 2.1).
 * Ordered by value: smaller is closer. Immutable, thread-safe.
 */
public final class Distance implements Comparable<Distance> {

  /** The distance of a key to itself. */
  public static final Distance ZERO = new Distance(0, 0, 0, 0);

  private final long w0;
  private final long w1;
  private final long w2;
  private final long w3;

  Distance(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  static int leadingZeros(long w0, long w1, long w2, long w3) {
    if (w0 != 0) {
      return Long.numberOfLeadingZeros(w0);
    }
    if (w1 != 0) {
      return 64 + Long.numberOfLeadingZeros(w1);
    }
    if (w2 != 0) {
      return 128 + Long.numberOfLeadingZeros(w2);
    }
    return 192 + Long.numberOfLeadingZeros(w3); // 256 when all zero
  }

  /** Leading zero bits = common prefix length of the two keys: 0..256. */
  public int commonPrefixLength() {
    return leadingZeros(w0, w1, w2, w3);
  }

  /**
   * The k-bucket this distance falls in, counted as the routing table does: the common prefix
   * length, 0 (farthest half of the keyspace) .. 255; -1 for distance zero (the local key).
   */
  public int bucketIndex() {
    int cpl = commonPrefixLength();
    return cpl == KadKey.BITS ? -1 : cpl;
  }

  /** The 32 big-endian bytes. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(KadKey.BYTES)
        .putLong(w0)
        .putLong(w1)
        .putLong(w2)
        .putLong(w3)
        .array();
  }

  @Override
  public int compareTo(Distance o) {
    return KadKey.compareWords(w0, w1, w2, w3, o.w0, o.w1, o.w2, o.w3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Distance d && w0 == d.w0 && w1 == d.w1 && w2 == d.w2 && w3 == d.w3;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(w0) * 31 + Long.hashCode(w3);
  }

  @Override
  public String toString() {
    return String.format("%016x%016x%016x%016x", w0, w1, w2, w3);
  }
}
