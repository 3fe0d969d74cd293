package org.chorus.dht.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a swarm key file that cannot be used at start as what to change rather than a stack
 * trace. Registered in {@code META-INF/spring.factories}.
 */
public final class SwarmKeyFailureAnalyzer extends AbstractFailureAnalyzer<SwarmKeyFileException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, SwarmKeyFileException cause) {
    return new FailureAnalysis(
        "The swarm key of the private network ("
            + SwarmKeyFileException.PROPERTY
            + "="
            + cause.file()
            + ") could not be loaded: "
            + cause.reason()
            + ".",
        "Point "
            + SwarmKeyFileException.PROPERTY
            + " at a readable swarm key file: three lines, /key/swarm/psk/1.0.0/, /base16/ and 64"
            + " hex digits, the same file on every node of the network (bin/chorus-swarm-key FILE"
            + " writes a new one), or unset it to run in the public network.",
        cause);
  }
}
