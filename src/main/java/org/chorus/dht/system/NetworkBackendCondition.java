package org.chorus.dht.system;

import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Which backends the node runs ({@link Mode}, from {@code chorus.dht.backend}): {@code local},
 * {@code network}, {@code hybrid}, or {@code auto} (the default), which is {@code hybrid} with a
 * non-empty {@code chorus.dht.bootstrap-peers} and {@code local} without.
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
    Binder binder = Binder.get(env);
    String backend =
        binder
            .bind("chorus.dht.backend", String.class)
            .orElse("auto")
            .trim()
            .toLowerCase(Locale.ROOT);
    switch (backend) {
      case "network":
        return Mode.NETWORK;
      case "local":
        return Mode.LOCAL;
      case "hybrid":
        return Mode.HYBRID;
      default:
        break;
    }
    List<String> peers =
        binder.bind("chorus.dht.bootstrap-peers", Bindable.listOf(String.class)).orElse(List.of());
    return peers.stream().anyMatch(p -> p != null && !p.isBlank()) ? Mode.HYBRID : Mode.LOCAL;
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
