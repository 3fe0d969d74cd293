package org.chorus.dht.age;

/** A file key was unwrapped, but the header MAC does not match: the header was altered. */
public final class HeaderMacException extends AgeException {

  public HeaderMacException(String message) {
    super(message);
  }
}
