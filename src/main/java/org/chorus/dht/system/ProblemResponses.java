package org.chorus.dht.system;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The error statuses an API handler method really answers, each documented in the OpenAPI spec as
 * an {@code application/problem+json} {@code ProblemDetail} (by {@link OpenApiConfiguration}).
 * {@code 401} is added to every authenticated call and need not be listed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ProblemResponses {

  /** HTTP statuses, e.g. {@code {400, 403, 404}}. */
  int[] value();
}
