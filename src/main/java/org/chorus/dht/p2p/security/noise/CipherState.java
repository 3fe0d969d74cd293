package org.chorus.dht.p2p.security.noise;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise CipherState for ChaChaPoly (noiseprotocol.org/noise.html §5.1, §12.3): 32-byte key, 64-bit
 * counter nonce encoded as 4 zero bytes + little-endian counter. Not thread-safe: one per
 * direction, confined to the connection's event loop.
 */
final class CipherState {
  static final int TAG = 16;

  private final Cipher cipher;
  private SecretKeySpec key;
  private long nonce;

  CipherState() {
    try {
      cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
    }
  }

  CipherState(byte[] k) {
    this();
    initializeKey(k);
  }

  void initializeKey(byte[] k) {
    key = new SecretKeySpec(k, "ChaCha20");
    nonce = 0;
  }

  boolean hasKey() {
    return key != null;
  }

  private IvParameterSpec nextIv() {
    if (nonce == -1L) {
      throw new IllegalStateException("noise nonce exhausted");
    }
    byte[] iv = new byte[12];
    long n = nonce++;
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    return new IvParameterSpec(iv);
  }

  /**
   * Encrypts {@code len} bytes of {@code in} into {@code out} at {@code outOff}; returns length.
   */
  int encrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, key, nextIv());
    if (ad != null && ad.length > 0) {
      cipher.updateAAD(ad);
    }
    return cipher.doFinal(in, off, len, out, outOff);
  }

  /** Decrypts and authenticates; throws {@link javax.crypto.AEADBadTagException} on a bad tag. */
  int decrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, nextIv());
    if (ad != null && ad.length > 0) {
      cipher.updateAAD(ad);
    }
    return cipher.doFinal(in, off, len, out, outOff);
  }

  byte[] encrypt(byte[] ad, byte[] plain) throws GeneralSecurityException {
    byte[] out = new byte[plain.length + TAG];
    encrypt(ad, plain, 0, plain.length, out, 0);
    return out;
  }

  byte[] decrypt(byte[] ad, byte[] cipherText) throws GeneralSecurityException {
    if (cipherText.length < TAG) {
      throw new GeneralSecurityException("ciphertext shorter than the tag");
    }
    byte[] out = new byte[cipherText.length - TAG];
    decrypt(ad, cipherText, 0, cipherText.length, out, 0);
    return out;
  }
}
