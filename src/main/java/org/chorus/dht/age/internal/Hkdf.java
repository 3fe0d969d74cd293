package org.chorus.dht.age.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA-256 (RFC 5869) on the JDK's HmacSHA256. Thread-safe: one Mac per thread.
 *
 * <p>Written out here rather than taken from Bouncy Castle: loading the first class from the signed
 * bcprov jar costs about 250 ms of signature checking, a quarter of a CLI run on 512 MiB.
 */
public final class Hkdf {

  private static final int HASH_SIZE = 32;

  /** One HmacSHA256 per thread: the lookup costs more than the two MACs of a derivation. */
  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(Hkdf::newMac);

  private static Mac newMac() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** This thread's HmacSHA256 instance, to be initialised by the caller before use. */
  public static Mac hmacSha256() {
    return MACS.get();
  }

  private Hkdf() {}

  /** Derives {@code length} bytes from the input key material, salt (may be empty) and label. */
  public static byte[] sha256(byte[] ikm, byte[] salt, String info, int length) {
    if (length > 255 * HASH_SIZE) {
      throw new IllegalArgumentException("HKDF output too long: " + length);
    }
    try {
      Mac mac = MACS.get();
      mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_SIZE] : salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] block = new byte[0];
      byte[] label = info.getBytes(StandardCharsets.US_ASCII);
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(block);
        mac.update(label);
        mac.update((byte) i);
        block = mac.doFinal();
        int n = Math.min(HASH_SIZE, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
