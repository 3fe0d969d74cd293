package org.chorus.dht.roles;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may store and who may read: the CHORUS role policy over the roles of roles.yaml.
 *
 * <p>Content created by role C is readable by C and by every role whose {@code canDecrypt} names C
 * or {@code *}; roles with {@code read_only} authority store nothing. The policy exists so that the
 * encryption recipients of a record follow from its creator alone, the same way on every node.
 *
 * <p>Immutable and thread-safe.
 */
public final class RolePolicy {

  private final Map<String, RoleDefinition> roles;
  private final List<RoleDefinition> ordered;

  public RolePolicy(Collection<RoleDefinition> definitions) {
    Map<String, RoleDefinition> byName = new LinkedHashMap<>();
    for (RoleDefinition role : definitions) {
      if (byName.put(role.name(), role) != null) {
        throw new IllegalArgumentException("role '" + role.name() + "' is defined twice");
      }
    }
    if (byName.isEmpty()) {
      throw new IllegalArgumentException("no roles are defined");
    }
    for (RoleDefinition role : byName.values()) {
      for (String creator : role.canDecrypt()) {
        if (!creator.equals(RoleDefinition.ANY) && !byName.containsKey(creator)) {
          throw new IllegalArgumentException(
              "role '" + role.name() + "' canDecrypt names unknown role '" + creator + "'");
        }
      }
    }
    this.roles = Map.copyOf(byName);
    this.ordered = List.copyOf(byName.values());
  }

  /** All roles, in file order. */
  public List<RoleDefinition> roles() {
    return ordered;
  }

  public Optional<RoleDefinition> find(String name) {
    return Optional.ofNullable(name == null ? null : roles.get(name));
  }

  /**
   * The role called {@code name}.
   *
   * @param field where the name came from, for the error
   * @throws UnknownRoleException if there is no such role
   */
  public RoleDefinition require(String name, String field) {
    return find(name).orElseThrow(() -> new UnknownRoleException(name, field));
  }

  public boolean canStore(String role) {
    return find(role).map(r -> r.authority().canStore()).orElse(false);
  }

  /**
   * Refuses a {@code read_only} role (or an unknown one) an operation that changes what the network
   * holds or announces: store, delete, announce, provide, reprovide.
   *
   * @throws org.chorus.dht.system.ApiException 403 {@code read-only} naming the role and operation
   */
  public void requireWriter(String role, String operation) {
    if (!canStore(role)) {
      throw org.chorus.dht.system.ApiException.forbidden(
              "read-only", "role '" + role + "' has read_only authority and may not " + operation)
          .with("role", role)
          .with("operation", operation);
    }
  }

  /** The roles that may read content created by {@code creatorRole}, creator first. */
  public List<String> decryptableRoles(String creatorRole) {
    require(creatorRole, "creatorRole");
    LinkedHashSet<String> out = new LinkedHashSet<>();
    out.add(creatorRole);
    for (RoleDefinition role : ordered) {
      if (role.decrypts(creatorRole)) {
        out.add(role.name());
      }
    }
    return List.copyOf(out);
  }
}
