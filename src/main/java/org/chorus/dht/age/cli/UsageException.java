package org.chorus.dht.age.cli;

/** The command line is malformed; the CLI prints the message and the usage and exits with 2. */
final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
