package org.chorus.dht.kad.rpc;

import java.util.Optional;

/**
 * What one outbound RPC came to. Expected outcomes are values: the peer answered ({@link Ok}), did
 * not answer in time ({@link Timeout}), or the stream could not be opened, was reset or carried
 * garbage ({@link Failed}, with the reason).
 */
public sealed interface KadResult<T> {
  record Ok<T>(T value) implements KadResult<T> {}

  record Timeout<T>() implements KadResult<T> {}

  record Failed<T>(String reason) implements KadResult<T> {}

  default boolean isOk() {
    return this instanceof Ok;
  }

  /** The answer if {@link Ok}. */
  default Optional<T> answer() {
    return this instanceof Ok<T> ok ? Optional.ofNullable(ok.value()) : Optional.empty();
  }

  /** Same outcome with the answer mapped. */
  default <U> KadResult<U> map(java.util.function.Function<T, U> f) {
    if (this instanceof Ok<T> ok) {
      return new Ok<>(f.apply(ok.value()));
    }
    if (this instanceof Failed<T> failed) {
      return new Failed<>(failed.reason());
    }
    return new Timeout<>();
  }
}
