package org.chorus.dht.age.internal;

import java.util.Arrays;
import java.util.Base64;

/**
 * The unpadded, canonical standard base64 of the age header. Stateless and thread-safe.
 *
 * <p>The JDK decoder ignores non-zero trailing bits, so canonical form is checked by re-encoding.
 */
public final class Base64s {

  private static final Base64.Encoder RAW = Base64.getEncoder().withoutPadding();

  private Base64s() {}

  public static String encode(byte[] data) {
    return RAW.encodeToString(data);
  }

  /**
   * Decodes unpadded canonical base64.
   *
   * @return the bytes, or {@code null} if the text is not canonical unpadded base64
   */
  public static byte[] decodeCanonical(String s) {
    if (s.indexOf('=') >= 0 || s.length() % 4 == 1) {
      return null;
    }
    byte[] out;
    try {
      out = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return RAW.encodeToString(out).equals(s) ? out : null;
  }

  /** Decodes padded canonical base64 (the armor's alphabet), or {@code null}. */
  public static byte[] decodePaddedCanonical(byte[] line, int len) {
    byte[] text = Arrays.copyOf(line, len);
    byte[] out;
    try {
      out = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return Arrays.equals(Base64.getEncoder().encode(out), text) ? out : null;
  }
}
