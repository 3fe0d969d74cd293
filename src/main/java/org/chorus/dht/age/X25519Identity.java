package org.chorus.dht.age;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import org.chorus.dht.age.internal.Base64s;
import org.chorus.dht.age.internal.Bech32;
import org.chorus.dht.age.internal.ChaChaPoly;
import org.chorus.dht.age.internal.Hkdf;
import org.chorus.dht.age.internal.X25519;

/**
 * An X25519 identity ({@code AGE-SECRET-KEY-1...}). Immutable and thread-safe. {@link #toString()}
 * does not reveal the secret; {@link #encode()} does.
 */
public final class X25519Identity implements Identity {

  private static final String HRP = "AGE-SECRET-KEY-";
  private static final int FILE_KEY_SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secretKey;
  private final X25519Recipient recipient;

  private X25519Identity(byte[] secretKey) {
    this.secretKey = secretKey.clone();
    this.recipient = new X25519Recipient(X25519.publicKey(secretKey));
  }

  /** A new random identity. */
  public static X25519Identity generate() {
    byte[] secret = new byte[X25519.SIZE];
    RANDOM.nextBytes(secret);
    return new X25519Identity(secret);
  }

  /**
   * Parses an {@code AGE-SECRET-KEY-1...} identity.
   *
   * @throws IllegalArgumentException if the string is not a valid X25519 identity
   */
  public static X25519Identity parse(String s) {
    Bech32.Decoded decoded;
    try {
      decoded = Bech32.decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("failed to parse identity: " + e.getMessage(), e);
    }
    if (!decoded.hrp().equals(HRP)) {
      throw new IllegalArgumentException("failed to parse identity: not an AGE-SECRET-KEY-1 key");
    }
    if (decoded.data().length != X25519.SIZE) {
      throw new IllegalArgumentException("failed to parse identity: wrong key length");
    }
    return new X25519Identity(decoded.data());
  }

  /** The recipient that encrypts to this identity. */
  /**
   * {@code length} bytes derived from this identity's secret key with HKDF-SHA-256 (empty salt,
   * {@code info} as the label): a key for another purpose bound to the identity, such as the role
   * signing key of chorus-dht. Different labels give independent keys; the secret itself never
   * leaves the identity.
   */
  public byte[] deriveKey(String info, int length) {
    return org.chorus.dht.age.internal.Hkdf.sha256(secretKey, new byte[0], info, length);
  }

  public X25519Recipient recipient() {
    return recipient;
  }

  /** The {@code AGE-SECRET-KEY-1...} form: a secret. */
  public String encode() {
    return Bech32.encode(HRP, secretKey).toUpperCase(Locale.ROOT);
  }

  @Override
  public byte[] unwrap(List<Stanza> stanzas) throws AgeException {
    for (Stanza stanza : stanzas) {
      byte[] fileKey = unwrap(stanza);
      if (fileKey != null) {
        return fileKey;
      }
    }
    return null;
  }

  private byte[] unwrap(Stanza stanza) throws HeaderException {
    if (!stanza.type().equals(X25519Recipient.TYPE)) {
      return null;
    }
    if (stanza.args().size() != 1) {
      throw new HeaderException("invalid X25519 stanza: want 1 argument");
    }
    byte[] share = Base64s.decodeCanonical(stanza.args().get(0));
    if (share == null || share.length != X25519.SIZE) {
      throw new HeaderException("invalid X25519 stanza: malformed share");
    }
    if (stanza.bodyLength() != FILE_KEY_SIZE + ChaChaPoly.TAG_SIZE) {
      throw new HeaderException("invalid X25519 stanza: wrong body size");
    }
    byte[] secret;
    try {
      secret = X25519.sharedSecret(secretKey, share);
    } catch (InvalidKeyException e) {
      throw new HeaderException("invalid X25519 stanza: low-order share", e);
    }
    byte[] salt = X25519Recipient.concat(share, recipient.publicKey());
    byte[] key = Hkdf.sha256(secret, salt, X25519Recipient.LABEL, 32);
    return ChaChaPoly.open(key, stanza.body());
  }

  @Override
  public String toString() {
    return "X25519Identity[" + recipient.encode() + "]";
  }
}
