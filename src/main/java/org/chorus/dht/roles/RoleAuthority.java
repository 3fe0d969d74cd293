package org.chorus.dht.roles;

import java.util.Objects;
import java.util.Optional;
import org.chorus.dht.envelope.WriteAuthority;

/**
 * The write rules of the role policy with the role signing keys (DESIGN: envelopes signed by the
 * role): a role writes the addresses of its own role segment, a role with {@code admin} authority
 * writes any, a {@code read_only} role writes none; a role's writes verify against its signing key.
 * Immutable and thread-safe.
 */
public final class RoleAuthority implements WriteAuthority {

  private final RolePolicy policy;
  private final RoleKeys keys;

  public RoleAuthority(RolePolicy policy, RoleKeys keys) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  @Override
  public Optional<String> refusal(String creatorRole, String addressRole) {
    Optional<RoleDefinition> role = policy.find(creatorRole);
    if (role.isEmpty()) {
      return Optional.of("unknown role '" + creatorRole + "'");
    }
    if (!role.get().authority().canStore()) {
      return Optional.of("role '" + creatorRole + "' is read_only");
    }
    if (!role.get().writes(addressRole)) {
      return Optional.of(
          "role '"
              + creatorRole
              + "' may not write the addresses of role '"
              + addressRole
              + "' (only its own, or any with admin authority)");
    }
    return Optional.empty();
  }

  @Override
  public Optional<byte[]> signerKey(String role) {
    return keys.signerKey(role);
  }
}
