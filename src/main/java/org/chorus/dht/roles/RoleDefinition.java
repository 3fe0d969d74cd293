package org.chorus.dht.roles;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One role of roles.yaml.
 *
 * @param name role name, {@code [A-Za-z0-9._-]+} (it is also a UCXL address segment)
 * @param description free text
 * @param authority what the role may do
 * @param canDecrypt creator roles whose content this role reads; {@value #ANY} means all
 * @param recipient the role's age recipient ({@code age1...}) when configured in the file
 * @param signer the role's Ed25519 signing public key ({@code ed25519:...}, see {@link RoleSigner})
 *     when configured in the file
 */
public record RoleDefinition(
    String name,
    String description,
    AuthorityLevel authority,
    List<String> canDecrypt,
    Optional<String> recipient,
    Optional<String> signer) {

  /** The wildcard of {@code canDecrypt}. */
  public static final String ANY = "*";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public RoleDefinition {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "role name '" + name + "' must match [A-Za-z0-9._-]{1,64}");
    }
    description = description == null ? "" : description;
    Objects.requireNonNull(authority, "authority");
    canDecrypt = List.copyOf(canDecrypt);
    recipient = recipient == null ? Optional.empty() : recipient;
    signer = signer == null ? Optional.empty() : signer;
    signer.ifPresent(org.chorus.dht.envelope.Ed25519Keys::decodePublic); // fails on a bad key
  }

  /** A role without configured public keys. */
  public RoleDefinition(
      String name, String description, AuthorityLevel authority, List<String> canDecrypt) {
    this(name, description, authority, canDecrypt, Optional.empty(), Optional.empty());
  }

  /** Whether this role may write addresses whose role segment is {@code addressRole}. */
  public boolean writes(String addressRole) {
    return authority.canStore() && (name.equals(addressRole) || authority == AuthorityLevel.ADMIN);
  }

  /** True when this role may read content created by {@code creatorRole}. */
  public boolean decrypts(String creatorRole) {
    return name.equals(creatorRole) || canDecrypt.contains(ANY) || canDecrypt.contains(creatorRole);
  }
}
