package org.chorus.dht.storage;

import java.util.List;
import java.util.Objects;
import org.chorus.dht.age.AgeException;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.Stanza;

/**
 * An identity that first tries the one stanza the envelope says is its own: the storage service
 * encrypts to {@code encryptedFor} in order, one stanza each, so the reader's role's position in
 * that list is its stanza. One X25519 instead of up to one per recipient role; any other age file
 * (or a list that does not match) still decrypts, by trying every stanza after the preferred one
 * failed. Immutable; thread-safe when the identity is.
 *
 * @param index the preferred stanza's position; out of range means none
 */
record PreferredStanza(Identity identity, int index) implements Identity {

  PreferredStanza {
    Objects.requireNonNull(identity, "identity");
  }

  /** {@code identity} preferring the stanza of {@code role} in {@code encryptedFor}. */
  static Identity of(Identity identity, List<String> encryptedFor, String role) {
    return new PreferredStanza(identity, encryptedFor.indexOf(role));
  }

  @Override
  public byte[] unwrap(List<Stanza> stanzas) throws AgeException {
    if (index >= 0 && index < stanzas.size()) {
      byte[] fileKey = identity.unwrap(List.of(stanzas.get(index)));
      if (fileKey != null) {
        return fileKey;
      }
    }
    return identity.unwrap(stanzas);
  }
}
