package org.chorus.dht.age.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * Raw X25519 (RFC 7748) over the JDK's XDH provider, on 32-byte little-endian strings. Stateless
 * and thread-safe.
 */
public final class X25519 {

  /** Size of scalars, points and shared secrets. */
  public static final int SIZE = 32;

  private static final byte[] BASE_POINT = new byte[SIZE];

  static {
    BASE_POINT[0] = 9;
  }

  private X25519() {}

  /** The public key (u-coordinate) of a 32-byte secret scalar. */
  public static byte[] publicKey(byte[] scalar) {
    try {
      return sharedSecret(scalar, BASE_POINT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("X25519 of the base point failed", e);
    }
  }

  /**
   * X25519(scalar, point).
   *
   * @throws InvalidKeyException if the point has small order (the result would be all zeros)
   */
  public static byte[] sharedSecret(byte[] scalar, byte[] point) throws InvalidKeyException {
    try {
      KeyFactory factory = KeyFactory.getInstance("XDH");
      PrivateKey priv =
          factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
      PublicKey pub =
          factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, toU(point)));
      KeyAgreement agreement = KeyAgreement.getInstance("XDH");
      agreement.init(priv);
      agreement.doPhase(pub, true);
      byte[] secret = agreement.generateSecret();
      if (isZero(secret)) {
        throw new InvalidKeyException("X25519 produced the all-zero shared secret");
      }
      return secret;
    } catch (InvalidKeyException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is not available in this JDK", e);
    }
  }

  private static BigInteger toU(byte[] point) {
    byte[] be = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      be[i] = point[SIZE - 1 - i];
    }
    be[0] &= 0x7f; // RFC 7748 section 5: mask the most significant bit
    return new BigInteger(1, be);
  }

  private static boolean isZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }
}
