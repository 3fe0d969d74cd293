package org.chorus.dht.age.internal;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-shot ChaCha20-Poly1305 with the all-zero nonce, as age uses it to wrap file keys under a
 * single-use key. Thread-safe: each thread reuses its own {@link Cipher} (looking one up costs more
 * than sealing a 16-byte file key); every use is under a fresh key, so re-initialising with the
 * zero nonce never repeats a (key, nonce) pair.
 */
public final class ChaChaPoly {

  /** Poly1305 tag size. */
  public static final int TAG_SIZE = 16;

  private static final byte[] ZERO_NONCE = new byte[12];

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(ChaChaPoly::newCipher);

  private ChaChaPoly() {}

  /** Creates a JDK ChaCha20-Poly1305 cipher (SunJCE). */
  public static Cipher newCipher() {
    try {
      return Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 is not available in this JDK", e);
    }
  }

  /** Seals {@code plaintext} under a single-use {@code key}. */
  public static byte[] seal(byte[] key, byte[] plaintext) {
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(ZERO_NONCE));
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to seal: " + e.getMessage(), e);
    }
  }

  /** Opens a sealed box; {@code null} if the tag does not verify. */
  public static byte[] open(byte[] key, byte[] ciphertext) {
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(ZERO_NONCE));
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to open: " + e.getMessage(), e);
    }
  }
}
