package org.chorus.dht.system;

import java.nio.file.Path;

/**
 * The swarm key file of {@code chorus.dht.swarm-key-file} could not be read or is not a swarm key;
 * the message names the property, the file and what is wrong. {@link SwarmKeyFailureAnalyzer} turns
 * it into Spring Boot's start-failure report.
 */
public final class SwarmKeyFileException extends IllegalStateException {

  /** The property that names the file. */
  public static final String PROPERTY = "chorus.dht.swarm-key-file";

  private final transient Path file;
  private final String reason;

  SwarmKeyFileException(Path file, String reason, Throwable cause) {
    super("failed to load the swarm key (" + PROPERTY + "=" + file + "): " + reason, cause);
    this.file = file;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  public String reason() {
    return reason;
  }
}
