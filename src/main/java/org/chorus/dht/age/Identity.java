package org.chorus.dht.age;

import java.util.List;

/** Something that can decrypt: unwraps the file key from one of the header's stanzas. */
public interface Identity {

  /**
   * Returns the 16-byte file key, or {@code null} when no stanza is addressed to this identity.
   *
   * @throws HeaderException when a stanza of this identity's type is malformed
   */
  byte[] unwrap(List<Stanza> stanzas) throws AgeException;
}
