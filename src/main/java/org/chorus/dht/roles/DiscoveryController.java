package org.chorus.dht.roles;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Roles and capabilities on the DHT: {@code POST /api/v1/roles/announce}, {@code POST
 * /api/v1/capabilities/announce}, {@code GET /api/v1/peers?role=&capability=&limit=}.
 *
 * <p>A caller announces its own role (the default); only an admin may announce another one, so that
 * a token cannot make the node claim a role the token does not hold; and the node announces only a
 * role whose identity it holds (409 otherwise), since it signs the claim with that role's key. Any
 * caller may announce capabilities and search. A found peer is {@code verified} only when its
 * record's role claim is proven ({@code verification}: see {@link PeerDiscovery.Verification}). A
 * search by role and capability finds the role's providers and keeps those whose verified peer
 * record lists the capability (unverified providers are left out, since nothing says what they can
 * do).
 */
@RestController
@Tag(name = "roles", description = "Roles, and peers found by role or capability")
class DiscoveryController {

  private final PeerDiscovery discovery;
  private final RolePolicy policy;

  DiscoveryController(PeerDiscovery discovery, RolePolicy policy) {
    this.discovery = discovery;
    this.policy = policy;
  }

  /** Body of {@code POST /api/v1/roles/announce}; both members optional. */
  record AnnounceRoleRequest(String role, List<String> capabilities) {}

  /** Body of {@code POST /api/v1/capabilities/announce}. */
  record AnnounceCapabilitiesRequest(List<String> capabilities) {}

  /** What this node now announces: the contents of the peer record it just published. */
  record AnnouncementView(
      String peerId,
      String role,
      List<String> capabilities,
      List<String> addresses,
      String agentVersion,
      Instant timestamp,
      @Schema(
              description =
                  "The record's sequence number; each record this node signs has a higher")
          long sequence,
      @Schema(description = "When the record expires unless re-announced") Instant expiresAt) {
    static AnnouncementView of(PeerDiscovery.Announcement a) {
      return new AnnouncementView(
          a.peerId(),
          a.role().orElse(null),
          a.capabilities(),
          a.addresses(),
          a.agentVersion(),
          a.timestamp(),
          a.sequence(),
          a.expiresAt());
    }
  }

  record PeerView(
      String peerId,
      String role,
      List<String> capabilities,
      List<String> addresses,
      String agentVersion,
      Instant timestamp,
      @Schema(
              description =
                  "True only when verification is 'proven': the peer record's node signature"
                      + " verifies, it has not expired, and its role claim (which covers the"
                      + " capabilities) verifies under the role's signing key known to this node")
          boolean verified,
      @Schema(
              description =
                  "proven: as for verified; no-record: no valid peer record (the role or"
                      + " capability shown is what the provider record implies); expired: the"
                      + " record has expired (contents not shown); no-role: the record claims no"
                      + " role, so no role key attests its capabilities; unknown-role-key: this"
                      + " node knows no signing key for the claimed role; bad-role-signature: the"
                      + " role claim does not verify under the role's key",
              allowableValues = {
                "proven",
                "no-record",
                "expired",
                "no-role",
                "unknown-role-key",
                "bad-role-signature"
              })
          String verification) {
    static PeerView of(PeerDiscovery.FoundPeer p) {
      return new PeerView(
          p.peerId(),
          p.role().orElse(null),
          p.capabilities(),
          p.addresses(),
          p.agentVersion().orElse(null),
          p.timestamp(),
          p.verified(),
          p.verification().label());
    }
  }

  record Peers(int count, List<PeerView> peers) {}

  @PostMapping("/api/v1/roles/announce")
  @Operation(operationId = "announceRole", summary = "Announce a role (the caller's by default)")
  @ProblemResponses({400, 403, 409})
  AnnouncementView announceRole(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @RequestBody(required = false) AnnounceRoleRequest request) {
    String role =
        request == null || request.role() == null || request.role().isBlank()
            ? caller.role()
            : request.role();
    policy.require(role, "role");
    policy.requireWriter(caller.role(), "announce");
    if (!role.equals(caller.role()) && !caller.admin()) {
      throw ApiException.forbidden(
              "role-not-permitted",
              "caller "
                  + caller.name()
                  + " acts as '"
                  + caller.role()
                  + "' and may not announce role '"
                  + role
                  + "'")
          .with("field", "role");
    }
    return AnnouncementView.of(
        discovery.announceRole(role, request == null ? null : request.capabilities()));
  }

  @PostMapping("/api/v1/capabilities/announce")
  @Operation(operationId = "announceCapabilities", summary = "Announce capabilities")
  @ProblemResponses({400, 403})
  AnnouncementView announceCapabilities(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @RequestBody(required = false) AnnounceCapabilitiesRequest request) {
    policy.requireWriter(caller.role(), "announce");
    return AnnouncementView.of(
        discovery.announceCapabilities(request == null ? null : request.capabilities()));
  }

  @GetMapping("/api/v1/peers")
  @Operation(operationId = "findPeers", summary = "Peers by role and/or capability")
  @ProblemResponses(400)
  Peers peers(
      @RequestParam(required = false) String role,
      @RequestParam(required = false) String capability,
      @RequestParam(defaultValue = "" + PeerDiscovery.DEFAULT_LIMIT) int limit) {
    boolean byRole = role != null && !role.isBlank();
    boolean byCapability = capability != null && !capability.isBlank();
    if (!byRole && !byCapability) {
      throw ApiException.badRequest("role", "give 'role' or 'capability' (or both)");
    }
    if (byCapability && !DiscoveryKeys.isValidName(capability)) {
      throw ApiException.badRequest(
          "capability", "'capability' is not a valid capability name: " + capability);
    }
    List<PeerDiscovery.FoundPeer> found;
    if (byRole) {
      policy.require(role, "role");
      found = discovery.findPeersByRole(role, limit);
      if (byCapability) {
        found =
            found.stream()
                .filter(p -> p.verified() && p.capabilities().contains(capability))
                .toList();
      }
    } else {
      found = discovery.findPeersByCapability(capability, limit);
    }
    List<PeerView> views = found.stream().map(PeerView::of).toList();
    return new Peers(views.size(), views);
  }
}
