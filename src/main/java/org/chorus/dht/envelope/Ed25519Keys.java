package org.chorus.dht.envelope;

import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032) on Bouncy Castle's arithmetic: several times faster than the JDK's EdDSA,
 * which matters because every envelope a node stores or receives is verified twice (role and node
 * signature). Keys are raw 32-byte seeds and public keys. Stateless and thread-safe.
 *
 * <p>Text form of a public key ({@link #encodePublic}): {@code ed25519:} followed by the unpadded
 * base64url of the 32 bytes, as roles.yaml's {@code signer} and the API show it.
 */
public final class Ed25519Keys {

  /** Size of a seed, a public key. */
  public static final int KEY_BYTES = 32;

  /** Size of a signature. */
  public static final int SIGNATURE_BYTES = 64;

  /** Prefix of the text form. */
  public static final String TEXT_PREFIX = "ed25519:";

  private Ed25519Keys() {}

  /** The public key of a 32-byte seed. */
  public static byte[] publicKey(byte[] seed) {
    checkLength(seed, KEY_BYTES, "seed");
    byte[] pk = new byte[KEY_BYTES];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    return pk;
  }

  /** Signs {@code message} with the seed (and its public key, to spare recomputing it). */
  public static byte[] sign(byte[] seed, byte[] publicKey, byte[] message) {
    checkLength(seed, KEY_BYTES, "seed");
    checkLength(publicKey, KEY_BYTES, "public key");
    byte[] sig = new byte[SIGNATURE_BYTES];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** Whether {@code signature} is a valid signature of {@code message} by {@code publicKey}. */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null
        || signature == null
        || publicKey.length != KEY_BYTES
        || signature.length != SIGNATURE_BYTES) {
      return false;
    }
    try {
      return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    } catch (RuntimeException e) {
      return false; // a point that does not decode
    }
  }

  /** {@code ed25519:<base64url>}. */
  public static String encodePublic(byte[] publicKey) {
    checkLength(publicKey, KEY_BYTES, "public key");
    return TEXT_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
  }

  /** Parses {@link #encodePublic}'s form; throws {@link IllegalArgumentException} saying why. */
  public static byte[] decodePublic(String text) {
    if (text == null || !text.startsWith(TEXT_PREFIX)) {
      throw new IllegalArgumentException("signer key must start with " + TEXT_PREFIX);
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(text.substring(TEXT_PREFIX.length()).trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signer key is not base64url: " + e.getMessage());
    }
    if (raw.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "signer key is " + raw.length + " bytes, expected " + KEY_BYTES);
    }
    return raw;
  }

  private static void checkLength(byte[] b, int n, String what) {
    if (b == null || b.length != n) {
      throw new IllegalArgumentException(
          what + " must be " + n + " bytes" + (b == null ? "" : ", got " + b.length));
    }
  }

  /** Constant-time equality of two keys. */
  public static boolean sameKey(byte[] a, byte[] b) {
    return a != null && b != null && java.security.MessageDigest.isEqual(a, b);
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
