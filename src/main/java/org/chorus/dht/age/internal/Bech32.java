package org.chorus.dht.age.internal;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32 (BIP 173) as age uses it: no 90-character limit, one case per string. Stateless and
 * thread-safe.
 */
public final class Bech32 {

  private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int[] GENERATORS = {
    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
  };
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < CHARSET.length(); i++) {
      VALUES[CHARSET.charAt(i)] = (byte) i;
      VALUES[Character.toUpperCase(CHARSET.charAt(i))] = (byte) i;
    }
  }

  /** A decoded Bech32 string: its human-readable part (as written) and its data bytes. */
  public record Decoded(String hrp, byte[] data) {}

  private Bech32() {}

  /** Encodes data under a lowercase human-readable part; the result is lowercase. */
  public static String encode(String hrp, byte[] data) {
    String lowerHrp = hrp.toLowerCase(Locale.ROOT);
    byte[] values = convertBits(data, 8, 5, true);
    byte[] checksum = checksum(lowerHrp, values);
    StringBuilder sb = new StringBuilder(lowerHrp.length() + 1 + values.length + 6);
    sb.append(lowerHrp).append('1');
    for (byte v : values) {
      sb.append(CHARSET.charAt(v));
    }
    for (byte v : checksum) {
      sb.append(CHARSET.charAt(v));
    }
    return sb.toString();
  }

  /**
   * Decodes a Bech32 string.
   *
   * @throws IllegalArgumentException if the string is mixed-case, malformed or fails its checksum
   */
  public static Decoded decode(String s) {
    boolean lower = false;
    boolean upper = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 33 || c > 126) {
        throw new IllegalArgumentException("invalid character in bech32 string");
      }
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
    }
    if (lower && upper) {
      throw new IllegalArgumentException("mixed case bech32 string");
    }
    int sep = s.lastIndexOf('1');
    if (sep < 1 || sep + 7 > s.length()) {
      throw new IllegalArgumentException("separator '1' at invalid position");
    }
    String hrp = s.substring(0, sep);
    byte[] values = new byte[s.length() - sep - 1];
    for (int i = 0; i < values.length; i++) {
      char c = s.charAt(sep + 1 + i);
      byte v = c < 128 ? VALUES[c] : -1;
      if (v < 0) {
        throw new IllegalArgumentException("invalid bech32 character '" + c + "'");
      }
      values[i] = v;
    }
    if (polymod(expand(hrp.toLowerCase(Locale.ROOT)), values, new byte[0]) != 1) {
      throw new IllegalArgumentException("invalid bech32 checksum");
    }
    byte[] payload = java.util.Arrays.copyOf(values, values.length - 6);
    return new Decoded(hrp, convertBits(payload, 5, 8, false));
  }

  private static byte[] checksum(String hrp, byte[] values) {
    int mod = polymod(expand(hrp), values, new byte[6]) ^ 1;
    byte[] out = new byte[6];
    for (int i = 0; i < 6; i++) {
      out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
    }
    return out;
  }

  private static byte[] expand(String hrp) {
    byte[] out = new byte[hrp.length() * 2 + 1];
    for (int i = 0; i < hrp.length(); i++) {
      out[i] = (byte) (hrp.charAt(i) >> 5);
      out[i + hrp.length() + 1] = (byte) (hrp.charAt(i) & 31);
    }
    return out;
  }

  private static int polymod(byte[] a, byte[] b, byte[] c) {
    int chk = 1;
    for (byte[] part : new byte[][] {a, b, c}) {
      for (byte v : part) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; i++) {
          if (((top >>> i) & 1) != 0) {
            chk ^= GENERATORS[i];
          }
        }
      }
    }
    return chk;
  }

  private static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
    int acc = 0;
    int bits = 0;
    int maxv = (1 << to) - 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
    for (byte b : in) {
      int value = b & 0xff;
      if ((value >>> from) != 0) {
        throw new IllegalArgumentException("invalid data range");
      }
      acc = (acc << from) | value;
      bits += from;
      while (bits >= to) {
        bits -= to;
        out.write((acc >>> bits) & maxv);
      }
    }
    if (pad) {
      if (bits > 0) {
        out.write((acc << (to - bits)) & maxv);
      }
    } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
      throw new IllegalArgumentException("invalid bech32 padding");
    }
    return out.toByteArray();
  }
}
