package org.chorus.dht.age;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.chorus.dht.age.internal.Base64s;
import org.chorus.dht.age.internal.ChaChaPoly;

/**
 * A passphrase identity. Refuses work factors above {@link #DEFAULT_MAX_WORK_FACTOR} so that a
 * hostile file cannot make decryption take hours. Immutable and thread-safe.
 */
public final class ScryptIdentity implements Identity {

  /** The largest work factor accepted, as in age. */
  public static final int DEFAULT_MAX_WORK_FACTOR = 22;

  private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]{0,8}");
  private static final int FILE_KEY_SIZE = 16;

  private final byte[] passphrase;
  private final int maxWorkFactor;

  /** An identity for the passphrase with the default work factor limit. */
  public ScryptIdentity(String passphrase) {
    this(passphrase, DEFAULT_MAX_WORK_FACTOR);
  }

  /** An identity for the passphrase refusing work factors above {@code maxWorkFactor}. */
  public ScryptIdentity(String passphrase, int maxWorkFactor) {
    this.passphrase = passphrase.getBytes(StandardCharsets.UTF_8);
    this.maxWorkFactor = maxWorkFactor;
  }

  @Override
  public byte[] unwrap(List<Stanza> stanzas) throws AgeException {
    for (Stanza stanza : stanzas) {
      if (!stanza.type().equals(ScryptRecipient.TYPE)) {
        continue;
      }
      if (stanzas.size() != 1) {
        throw new HeaderException("invalid scrypt stanza: an scrypt stanza must be alone");
      }
      return unwrap(stanza);
    }
    return null;
  }

  private byte[] unwrap(Stanza stanza) throws HeaderException {
    if (stanza.args().size() != 2) {
      throw new HeaderException("invalid scrypt stanza: want 2 arguments");
    }
    byte[] salt = Base64s.decodeCanonical(stanza.args().get(0));
    if (salt == null || salt.length != ScryptRecipient.SALT_SIZE) {
      throw new HeaderException("invalid scrypt stanza: malformed salt");
    }
    String factor = stanza.args().get(1);
    if (!DECIMAL.matcher(factor).matches()) {
      throw new HeaderException("invalid scrypt stanza: malformed work factor");
    }
    int logN = Integer.parseInt(factor);
    if (logN > maxWorkFactor) {
      throw new HeaderException(
          "invalid scrypt stanza: work factor " + logN + " above the limit " + maxWorkFactor);
    }
    if (stanza.bodyLength() != FILE_KEY_SIZE + ChaChaPoly.TAG_SIZE) {
      throw new HeaderException("invalid scrypt stanza: wrong body size");
    }
    byte[] key = ScryptRecipient.deriveKey(passphrase, salt, logN);
    return ChaChaPoly.open(key, stanza.body());
  }

  @Override
  public String toString() {
    return "ScryptIdentity[max work factor " + maxWorkFactor + "]";
  }
}
