package org.chorus.dht.system;

import java.util.Objects;

/**
 * The authenticated caller of the HTTP API: a name, the one role it acts in, and whether it may use
 * admin operations. Immutable.
 */
public record ChorusPrincipal(String name, String role, boolean admin) {

  public ChorusPrincipal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }

  @Override
  public String toString() {
    return name + "(" + role + (admin ? ", admin" : "") + ")";
  }
}
