package org.chorus.dht.age;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.generators.SCrypt;
import org.chorus.dht.age.internal.Base64s;
import org.chorus.dht.age.internal.ChaChaPoly;

/**
 * A passphrase recipient (C2SP age, "scrypt recipient type"). It must be a file's only recipient.
 * Immutable and thread-safe.
 */
public final class ScryptRecipient implements Recipient {

  /** The work factor (log2 N) age uses by default: about a second of work. */
  public static final int DEFAULT_WORK_FACTOR = 18;

  static final String TYPE = "scrypt";
  static final String SALT_LABEL = "age-encryption.org/v1/scrypt";
  static final int SALT_SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] passphrase;
  private final int workFactor;

  /** A recipient with the default work factor. */
  public ScryptRecipient(String passphrase) {
    this(passphrase, DEFAULT_WORK_FACTOR);
  }

  /** A recipient with work factor {@code logN} (1 to 30). */
  public ScryptRecipient(String passphrase, int logN) {
    if (passphrase.isEmpty()) {
      throw new IllegalArgumentException("passphrase must not be empty");
    }
    if (logN < 1 || logN > 30) {
      throw new IllegalArgumentException("scrypt work factor must be within 1..30: " + logN);
    }
    this.passphrase = passphrase.getBytes(StandardCharsets.UTF_8);
    this.workFactor = logN;
  }

  @Override
  public List<Stanza> wrap(byte[] fileKey) {
    byte[] salt = new byte[SALT_SIZE];
    RANDOM.nextBytes(salt);
    byte[] key = deriveKey(passphrase, salt, workFactor);
    return List.of(
        new Stanza(
            TYPE,
            List.of(Base64s.encode(salt), Integer.toString(workFactor)),
            ChaChaPoly.seal(key, fileKey)));
  }

  static byte[] deriveKey(byte[] passphrase, byte[] salt, int logN) {
    byte[] label = SALT_LABEL.getBytes(StandardCharsets.US_ASCII);
    byte[] fullSalt = X25519Recipient.concat(label, salt);
    return SCrypt.generate(passphrase, fullSalt, 1 << logN, 8, 1, 32);
  }
}
