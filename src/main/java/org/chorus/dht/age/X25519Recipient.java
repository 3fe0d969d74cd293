package org.chorus.dht.age;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.chorus.dht.age.internal.Base64s;
import org.chorus.dht.age.internal.Bech32;
import org.chorus.dht.age.internal.ChaChaPoly;
import org.chorus.dht.age.internal.Hkdf;
import org.chorus.dht.age.internal.X25519;

/**
 * An X25519 recipient ({@code age1...}). Immutable and thread-safe.
 *
 * <p>Wrapping (C2SP age, "X25519 recipient type"): an ephemeral share E, the shared secret
 * X25519(e, R), key = HKDF(secret, E || R, "age-encryption.org/v1/X25519"), body = the file key
 * sealed under that key.
 */
public final class X25519Recipient implements Recipient {

  static final String TYPE = "X25519";
  static final String LABEL = "age-encryption.org/v1/X25519";
  private static final String HRP = "age";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] publicKey;

  X25519Recipient(byte[] publicKey) {
    this.publicKey = publicKey.clone();
  }

  /**
   * Parses an {@code age1...} recipient.
   *
   * @throws IllegalArgumentException if the string is not a valid X25519 recipient
   */
  public static X25519Recipient parse(String s) {
    Bech32.Decoded decoded;
    try {
      decoded = Bech32.decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("failed to parse recipient: " + e.getMessage(), e);
    }
    if (!decoded.hrp().equals(HRP)) {
      throw new IllegalArgumentException(
          "failed to parse recipient: not an age1 recipient (prefix " + decoded.hrp() + ")");
    }
    if (decoded.data().length != X25519.SIZE) {
      throw new IllegalArgumentException("failed to parse recipient: wrong key length");
    }
    return new X25519Recipient(decoded.data());
  }

  /** The {@code age1...} form. */
  public String encode() {
    return Bech32.encode(HRP, publicKey);
  }

  byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public List<Stanza> wrap(byte[] fileKey) {
    byte[] ephemeral = new byte[X25519.SIZE];
    RANDOM.nextBytes(ephemeral);
    byte[] share = X25519.publicKey(ephemeral);
    byte[] secret;
    try {
      secret = X25519.sharedSecret(ephemeral, publicKey);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("failed to wrap file key: invalid recipient key", e);
    }
    byte[] key = Hkdf.sha256(secret, concat(share, publicKey), LABEL, 32);
    byte[] body = ChaChaPoly.seal(key, fileKey);
    return List.of(new Stanza(TYPE, List.of(Base64s.encode(share)), body));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X25519Recipient r && Arrays.equals(publicKey, r.publicKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return encode();
  }
}
