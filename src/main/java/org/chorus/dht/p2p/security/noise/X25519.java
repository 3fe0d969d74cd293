package org.chorus.dht.p2p.security.noise;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * X25519 (RFC 7748) on Bouncy Castle's constant-time arithmetic, with raw 32-byte little-endian
 * keys: about four times faster than the JDK's XDH here, and every connection's handshake does
 * three of them. Thread-safe.
 */
final class X25519 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private X25519() {}

  /**
   * A key pair: the raw secret scalar and its raw public key.
   *
   * @param privateKey 32 random bytes (clamped by the scalar multiplication itself)
   */
  record Pair(byte[] privateKey, byte[] publicKey) {}

  static Pair generate() {
    byte[] scalar = new byte[32];
    RANDOM.nextBytes(scalar);
    return fromPrivate(scalar);
  }

  /** The pair of a given 32-byte secret scalar (tests vectors). */
  static Pair fromPrivate(byte[] scalar) {
    byte[] pub = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(scalar, 0, pub, 0);
    return new Pair(scalar.clone(), pub);
  }

  /** DH(priv, remotePublic); throws if the result is all zero (low-order point). */
  static byte[] dh(byte[] priv, byte[] remotePublic) throws GeneralSecurityException {
    if (remotePublic.length != 32) {
      throw new GeneralSecurityException("X25519 public key of " + remotePublic.length + " bytes");
    }
    byte[] secret = new byte[32];
    if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(
        priv, 0, remotePublic, 0, secret, 0)) {
      throw new GeneralSecurityException("X25519 produced an all-zero shared secret");
    }
    return secret;
  }
}
