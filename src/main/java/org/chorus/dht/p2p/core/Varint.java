package org.chorus.dht.p2p.core;

import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as used by multiformats and libp2p framing
 * (github.com/multiformats/unsigned-varint). Decoding is bounded: at most {@link #MAX_BYTES} bytes
 * (63-bit values), minimal encoding is not enforced beyond that. Stateless, thread-safe.
 */
public final class Varint {
  /** multiformats caps varints at 9 bytes (63 bits). */
  public static final int MAX_BYTES = 9;

  private Varint() {}

  /** Number of bytes {@code value} takes when encoded. */
  public static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Encodes {@code value} (must be non-negative). */
  public static byte[] encode(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint must be non-negative: " + value);
    }
    byte[] out = new byte[size(value)];
    int i = 0;
    while ((value & ~0x7FL) != 0) {
      out[i++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[i] = (byte) value;
    return out;
  }

  /**
   * Reads a varint from {@code buf}'s position. Returns -1 and leaves the position unchanged if the
   * buffer ends before the varint does.
   *
   * @throws IllegalArgumentException if the varint is longer than {@link #MAX_BYTES}
   */
  public static long read(ByteBuffer buf) {
    int start = buf.position();
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (!buf.hasRemaining()) {
        buf.position(start);
        return -1;
      }
      int b = buf.get() & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than " + MAX_BYTES + " bytes");
  }

  /** Reads a varint that must be complete; throws on truncation. */
  public static long readComplete(ByteBuffer buf) {
    long v = read(buf);
    if (v < 0) {
      throw new IllegalArgumentException("truncated varint");
    }
    return v;
  }
}
