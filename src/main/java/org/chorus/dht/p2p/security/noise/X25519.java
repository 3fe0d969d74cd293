package org.chorus.dht.p2p.security.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** X25519 on the JDK, with raw 32-byte little-endian public keys. Thread-safe. */
final class X25519 {
  private X25519() {}

  /** A key pair with its raw public key. */
  record Pair(PrivateKey privateKey, byte[] publicKey) {}

  static Pair generate() {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      return new Pair(kp.getPrivate(), rawPublic((XECPublicKey) kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 unavailable", e);
    }
  }

  static byte[] rawPublic(XECPublicKey pub) {
    byte[] be = pub.getU().toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  /** DH(priv, remotePublic); throws if the result is all zero (low-order point). */
  static byte[] dh(PrivateKey priv, byte[] remotePublic) throws GeneralSecurityException {
    if (remotePublic.length != 32) {
      throw new GeneralSecurityException("X25519 public key of " + remotePublic.length + " bytes");
    }
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = remotePublic[31 - i];
    }
    be[0] &= 0x7F; // RFC 7748 §5: mask the top bit
    BigInteger u = new BigInteger(1, be);
    var pub =
        KeyFactory.getInstance("XDH")
            .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(priv);
    ka.doPhase(pub, true);
    byte[] secret = ka.generateSecret();
    int acc = 0;
    for (byte b : secret) {
      acc |= b;
    }
    if (acc == 0) {
      throw new GeneralSecurityException("X25519 produced an all-zero shared secret");
    }
    return secret;
  }
}
