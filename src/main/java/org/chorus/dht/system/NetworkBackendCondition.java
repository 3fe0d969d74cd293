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
 * Whether the node runs on the network DHT: {@code chorus.dht.backend=network}, or {@code auto}
 * (the default) with a non-empty {@code chorus.dht.bootstrap-peers}. {@link Local} is the negation.
 */
class NetworkBackendCondition implements Condition {

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return network(context.getEnvironment());
  }

  static boolean network(Environment env) {
    Binder binder = Binder.get(env);
    String backend =
        binder
            .bind("chorus.dht.backend", String.class)
            .orElse("auto")
            .trim()
            .toLowerCase(Locale.ROOT);
    if (backend.equals("network")) {
      return true;
    }
    if (backend.equals("local")) {
      return false;
    }
    List<String> peers =
        binder.bind("chorus.dht.bootstrap-peers", Bindable.listOf(String.class)).orElse(List.of());
    return peers.stream().anyMatch(p -> p != null && !p.isBlank());
  }

  /** The embedded backend: the negation of {@link NetworkBackendCondition}. */
  static final class Local implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return !network(context.getEnvironment());
    }
  }
}
