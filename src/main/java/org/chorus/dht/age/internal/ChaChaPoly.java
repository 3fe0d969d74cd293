package org.chorus.dht.age.internal;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-shot ChaCha20-Poly1305 with the all-zero nonce, as age uses it to wrap file keys under a
 * single-use key. Thread-safe: each thread reuses its own {@link Cipher} (looking one up costs more
 * than sealing a 16-byte file key); every seal is under a fresh key, so re-initialising with the
 * zero nonce never repeats a (key, nonce) pair.
 */
public final class ChaChaPoly {

  /** Poly1305 tag size. */
  public static final int TAG_SIZE = 16;

  private static final byte[] ZERO_NONCE = new byte[12];

  private static final SecretKeySpec THROWAWAY_KEY = new SecretKeySpec(new byte[32], "ChaCha20");

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
      init(
          cipher,
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "ChaCha20"),
          new IvParameterSpec(ZERO_NONCE));
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to open: " + e.getMessage(), e);
    }
  }

  /**
   * Initialises a reused {@code cipher}. JDK 17 refuses the key and nonce of the cipher's previous
   * initialisation in either mode (later JDKs only when encrypting), which happens when a thread
   * opens the same box or decrypts the same file twice; a throwaway key clears that state.
   */
  static void init(Cipher cipher, int mode, SecretKeySpec key, IvParameterSpec nonce)
      throws GeneralSecurityException {
    try {
      cipher.init(mode, key, nonce);
    } catch (InvalidKeyException sameKeyAndNonce) {
      cipher.init(Cipher.DECRYPT_MODE, THROWAWAY_KEY, nonce);
      cipher.init(mode, key, nonce);
    }
  }
}
