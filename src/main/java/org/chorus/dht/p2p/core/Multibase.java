package org.chorus.dht.p2p.core;

import java.math.BigInteger;
import java.util.Arrays;

/** base58btc and RFC 4648 base32 (lower case, no padding), as multibase uses them. Thread-safe. */
public final class Multibase {
  private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
  private static final int[] B58_INDEX = index(B58);
  private static final int[] B32_INDEX = index(B32);
  private static final BigInteger FIFTY_EIGHT = BigInteger.valueOf(58);

  /** Longest text accepted by the decoders, to bound work on hostile input. */
  public static final int MAX_TEXT = 1024;

  private Multibase() {}

  private static int[] index(String alphabet) {
    int[] idx = new int[128];
    Arrays.fill(idx, -1);
    for (int i = 0; i < alphabet.length(); i++) {
      idx[alphabet.charAt(i)] = i;
    }
    return idx;
  }

  public static String base58(byte[] data) {
    int zeros = 0;
    while (zeros < data.length && data[zeros] == 0) {
      zeros++;
    }
    StringBuilder sb = new StringBuilder();
    BigInteger n = new BigInteger(1, data);
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(FIFTY_EIGHT);
      sb.append(B58.charAt(qr[1].intValue()));
      n = qr[0];
    }
    sb.append("1".repeat(zeros));
    return sb.reverse().toString();
  }

  public static byte[] decodeBase58(String text) {
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("base58 text longer than " + MAX_TEXT);
    }
    BigInteger n = BigInteger.ZERO;
    int zeros = 0;
    boolean leading = true;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int d = c < 128 ? B58_INDEX[c] : -1;
      if (d < 0) {
        throw new IllegalArgumentException("invalid base58 character '" + c + "'");
      }
      if (leading && d == 0) {
        zeros++;
      } else {
        leading = false;
      }
      n = n.multiply(FIFTY_EIGHT).add(BigInteger.valueOf(d));
    }
    byte[] body = n.signum() == 0 ? new byte[0] : n.toByteArray();
    int skip = body.length > 1 && body[0] == 0 ? 1 : 0;
    byte[] out = new byte[zeros + body.length - skip];
    System.arraycopy(body, skip, out, zeros, body.length - skip);
    return out;
  }

  public static String base32(byte[] data) {
    StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        sb.append(B32.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(B32.charAt((buffer << (5 - bits)) & 31));
    }
    return sb.toString();
  }

  public static byte[] decodeBase32(String text) {
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("base32 text longer than " + MAX_TEXT);
    }
    byte[] out = new byte[text.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int o = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = Character.toLowerCase(text.charAt(i));
      int d = c < 128 ? B32_INDEX[c] : -1;
      if (d < 0) {
        throw new IllegalArgumentException("invalid base32 character '" + text.charAt(i) + "'");
      }
      buffer = (buffer << 5) | d;
      bits += 5;
      if (bits >= 8) {
        out[o++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }
}
