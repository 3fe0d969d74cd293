package org.chorus.dht.age;

/** The ASCII armor around an age file is invalid. */
public final class ArmorException extends AgeException {

  public ArmorException(String message) {
    super(message);
  }
}
