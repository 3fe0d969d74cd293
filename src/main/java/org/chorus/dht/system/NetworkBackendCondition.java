package org.chorus.dht.system;

import java.util.Locale;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Which backends the node runs ({@link Mode}, from {@code chorus.dht.backend}): {@code auto} (the
 * default) and {@code hybrid} are the hybrid backend, so every node runs the libp2p host and the
 * kad server whether or not it has bootstrap peers (a node without them is a standalone network
 * node that others join); {@code network} is the network backend alone; {@code local} is the
 * explicit opt-out: the embedded store only, no libp2p listener. Any other value fails the start.
 *
 * <p>This condition matches when a network backend exists ({@code network} or {@code hybrid});
 * {@link Local} when the embedded backend exists ({@code local} or {@code hybrid}); {@link Hybrid}
 * when the hybrid backend is the node's backend.
 */
class NetworkBackendCondition implements Condition {

  /** The backend setup of a node. */
  enum Mode {
    /** The embedded {@code LocalDht} only. */
    LOCAL,
    /** The {@code NetworkDht} only. */
    NETWORK,
    /** {@code HybridDht} over a {@code NetworkDht} and a {@code LocalDht}. */
    HYBRID
  }

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return network(context.getEnvironment());
  }

  /** Whether a network backend exists (alone or under the hybrid one). */
  static boolean network(Environment env) {
    return mode(env) != Mode.LOCAL;
  }

  static Mode mode(Environment env) {
    String backend =
        Binder.get(env)
            .bind("chorus.dht.backend", String.class)
            .orElse("auto")
            .trim()
            .toLowerCase(Locale.ROOT);
    return switch (backend) {
      case "network" -> Mode.NETWORK;
      case "local" -> Mode.LOCAL;
      case "hybrid", "auto" -> Mode.HYBRID;
      default ->
          throw new IllegalStateException(
              "chorus.dht.backend: unknown backend '"
                  + backend
                  + "' (expected auto, hybrid, network or local)");
    };
  }

  /** The embedded backend exists: {@code local} or {@code hybrid}. */
  static final class Local implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return mode(context.getEnvironment()) != Mode.NETWORK;
    }
  }

  /** The hybrid backend is the node's backend. */
  static final class Hybrid implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return mode(context.getEnvironment()) == Mode.HYBRID;
    }
  }
}
