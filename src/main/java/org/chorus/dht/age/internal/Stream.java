package org.chorus.dht.age.internal;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age STREAM construction (C2SP age, "Payload"): ChaCha20-Poly1305 over 64 KiB chunks with an
 * 11-byte big-endian chunk counter and a last-chunk flag as the nonce. One instance seals or opens
 * chunks in order; it is not thread-safe.
 */
public final class Stream {

  /** Plaintext bytes per chunk. */
  public static final int CHUNK_SIZE = 64 * 1024;

  /** Ciphertext bytes per full chunk. */
  public static final int ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + ChaChaPoly.TAG_SIZE;

  /** Size of the random nonce that precedes the payload and salts the payload key. */
  public static final int NONCE_SIZE = 16;

  private final SecretKeySpec key;
  private final Cipher cipher = ChaChaPoly.newCipher();
  private final byte[] nonce = new byte[12];
  private long counter;

  /** A stream keyed with HKDF(fileKey, payloadNonce, "payload"). */
  public Stream(byte[] fileKey, byte[] payloadNonce) {
    this.key = new SecretKeySpec(Hkdf.sha256(fileKey, payloadNonce, "payload", 32), "ChaCha20");
  }

  /** How many chunks were sealed or opened so far. */
  public long chunks() {
    return counter;
  }

  /**
   * Seals one chunk of {@code len} bytes into {@code out} (which needs {@code len + 16} bytes).
   *
   * @return the ciphertext length
   */
  public int seal(byte[] in, int off, int len, byte[] out, int outOff, boolean last) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, nextNonce(last));
      int n = cipher.doFinal(in, off, len, out, outOff);
      counter++;
      return n;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to seal chunk: " + e.getMessage(), e);
    }
  }

  /**
   * Opens one chunk into {@code out}; nothing is written unless the tag verifies.
   *
   * @return the plaintext length, or -1 if the chunk does not authenticate with this flag
   */
  public int open(byte[] in, int off, int len, byte[] out, int outOff, boolean last) {
    if (len < ChaChaPoly.TAG_SIZE) {
      return -1;
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, nextNonce(last));
      int n = cipher.doFinal(in, off, len, out, outOff);
      counter++;
      return n;
    } catch (javax.crypto.AEADBadTagException e) {
      return -1;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to open chunk: " + e.getMessage(), e);
    }
  }

  private IvParameterSpec nextNonce(boolean last) {
    if (counter >= (1L << 40) * 1024) {
      throw new IllegalStateException("STREAM chunk counter overflow");
    }
    for (int i = 0; i < 8; i++) {
      nonce[10 - i] = (byte) (counter >>> (8 * i));
    }
    nonce[11] = (byte) (last ? 1 : 0);
    return new IvParameterSpec(nonce);
  }
}
