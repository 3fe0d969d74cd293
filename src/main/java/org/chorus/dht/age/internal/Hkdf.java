package org.chorus.dht.age.internal;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA-256 (RFC 5869). Stateless and thread-safe. */
public final class Hkdf {

  private Hkdf() {}

  /** Derives {@code length} bytes from the input key material, salt (may be empty) and label. */
  public static byte[] sha256(byte[] ikm, byte[] salt, String info, int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, salt, info.getBytes(StandardCharsets.US_ASCII)));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }
}
