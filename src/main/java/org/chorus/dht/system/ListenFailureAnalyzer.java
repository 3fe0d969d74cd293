package org.chorus.dht.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a libp2p listen failure at start (most often the port taken by another node on the same
 * machine) as what to change rather than a stack trace. Registered in {@code
 * META-INF/spring.factories}.
 */
public final class ListenFailureAnalyzer extends AbstractFailureAnalyzer<ListenFailedException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ListenFailedException cause) {
    return new FailureAnalysis(
        "The libp2p listener could not bind "
            + cause.address()
            + " ("
            + ListenFailedException.PROPERTY
            + "): "
            + cause.reason()
            + ".",
        "Give "
            + ListenFailedException.PROPERTY
            + " a free port (for example --"
            + ListenFailedException.PROPERTY
            + "=/ip4/0.0.0.0/tcp/4002, or /tcp/0 for any free port), stop the process that holds"
            + " it, or run without a listener with --chorus.dht.backend=local.",
        cause);
  }
}
