package org.chorus.dht.age;

/** The header is well formed, but none of the identities unwraps any of its stanzas. */
public final class NoIdentityMatchException extends AgeException {

  public NoIdentityMatchException(String message) {
    super(message);
  }
}
