package org.chorus.dht.roles;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.chorus.dht.age.X25519Recipient;
import org.chorus.dht.envelope.Ed25519Keys;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/roles}: the roles of roles.yaml with their age recipient and Ed25519 signer
 * (the public keys a node that holds no identity for a role needs in roles.yaml to encrypt to it
 * and verify its writes), whether this node holds their identity, and who can read what they
 * create. Public keys only.
 */
@RestController
@Tag(name = "roles")
class RolesController {

  private final RolePolicy policy;
  private final RoleKeys keys;

  RolesController(RolePolicy policy, RoleKeys keys) {
    this.policy = policy;
    this.keys = keys;
  }

  /** One role as the API shows it. */
  record RoleView(
      String name,
      String description,
      String authority,
      List<String> canDecrypt,
      String recipient,
      String signer,
      boolean identityHeld,
      List<String> readableBy) {}

  record Roles(int count, List<RoleView> roles) {}

  @GetMapping("/api/v1/roles")
  @Operation(operationId = "listRoles", summary = "The roles with their recipients and readers")
  Roles roles() {
    List<RoleView> views =
        policy.roles().stream()
            .map(
                r ->
                    new RoleView(
                        r.name(),
                        r.description(),
                        r.authority().id(),
                        r.canDecrypt(),
                        keys.recipient(r.name()).map(X25519Recipient::encode).orElse(null),
                        keys.signerKey(r.name()).map(Ed25519Keys::encodePublic).orElse(null),
                        keys.identity(r.name()).isPresent(),
                        policy.decryptableRoles(r.name())))
            .toList();
    return new Roles(views.size(), views);
  }
}
