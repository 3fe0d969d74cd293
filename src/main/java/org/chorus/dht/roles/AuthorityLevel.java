package org.chorus.dht.roles;

import java.util.Locale;

/** How much a role may do. Only {@link #READ_ONLY} roles are barred from storing content. */
public enum AuthorityLevel {
  ADMIN,
  DECISION,
  SUGGESTION,
  READ_ONLY;

  /** Parses {@code admin}, {@code decision}, {@code suggestion} or {@code read_only}. */
  public static AuthorityLevel parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown authority level '" + text + "' (admin, decision, suggestion, read_only)");
    }
  }

  /** The lower-case name used in roles.yaml and the API. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean canStore() {
    return this != READ_ONLY;
  }
}
