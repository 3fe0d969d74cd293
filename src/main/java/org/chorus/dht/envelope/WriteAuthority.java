package org.chorus.dht.envelope;

import java.util.Optional;

/**
 * Who may write an address: the role policy as the envelope validator needs it, without the role
 * packages (implemented by {@code roles.RoleAuthority}). Implementations must be thread-safe.
 */
public interface WriteAuthority {

  /**
   * Why {@code creatorRole} may not write an address whose role segment is {@code addressRole}
   * (unknown role, read-only, another role's address without admin authority), or empty when it
   * may.
   */
  Optional<String> refusal(String creatorRole, String addressRole);

  /** The raw Ed25519 public key that signs for {@code role}, when this node knows it. */
  Optional<byte[]> signerKey(String role);
}
