package org.chorus.dht.peers;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.storage.ApiAudit;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/admin/peers}: the deny-list of peers, admin only. A denial closes the peer's
 * connections, removes it from the routing table and refuses it in every handshake from then on; it
 * is kept in {@code <data-dir>/denied-peers.txt} across restarts ({@link DeniedPeers}). Denials and
 * lifts, and refused attempts by non-admins, are audited ({@code peer-deny}, {@code peer-lift})
 * before they take effect; if the line cannot be written nothing happens (503).
 */
@RestController
@RequestMapping("/api/v1/admin/peers")
@Tag(name = "admin-peers", description = "Peers this node refuses to talk to (admin)")
class PeerAdminController {

  private final DeniedPeers denied;
  private final ApiAudit audit;

  PeerAdminController(DeniedPeers denied, ApiAudit audit) {
    this.denied = denied;
    this.audit = audit;
  }

  @GetMapping("/denied")
  @Operation(operationId = "listDeniedPeers", summary = "Denied peers and the allow-list (admin)")
  @ProblemResponses({403})
  DeniedList list(@AuthenticationPrincipal ChorusPrincipal caller) {
    if (caller == null || !caller.admin()) {
      throw ApiException.forbidden("admin-required", "only an admin may list denied peers");
    }
    List<Denied> entries = denied.list().stream().map(Denied::of).toList();
    List<String> allowed = denied.allowed().stream().map(PeerId::toString).sorted().toList();
    return new DeniedList(entries.size(), entries, allowed);
  }

  /** Body {@code {"peerId": "12D3Koo...", "reason": "..."}}; admin only. */
  @PostMapping("/deny")
  @Operation(operationId = "denyPeer", summary = "Deny a peer: close, evict, refuse (admin)")
  @ProblemResponses({400, 403, 409, 503})
  DenyResult deny(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestBody(required = false) Deny body) {
    String peerText = body == null ? null : body.peerId();
    requireAdmin(caller, AuditEvent.PEER_DENY, peerText, "deny peers");
    PeerId peer = peerId(peerText);
    String reason = body.reason() == null ? "" : body.reason().strip();
    if (reason.length() > DeniedPeers.MAX_REASON) {
      throw ApiException.badRequest(
          "reason", "'reason' is longer than " + DeniedPeers.MAX_REASON + " characters");
    }
    if (!denied.hasNetwork()) {
      throw new ApiException(
              409,
              "network-unavailable",
              "Conflict",
              "this node runs without the libp2p network (chorus.dht.backend=local)")
          .with("field", "peerId");
    }
    if (denied.isSelf(peer)) {
      throw ApiException.badRequest("peerId", "'peerId' is this node's own peer id");
    }
    var existing = denied.find(peer);
    if (existing.isPresent()) { // nothing changes: not audited
      return DenyResult.of(new DeniedPeers.Outcome(existing.get(), true, 0, false));
    }
    audit.record(caller, AuditEvent.PEER_DENY, peer.toString(), AuditEvent.OK);
    try {
      return DenyResult.of(denied.deny(peer, reason, caller.name()));
    } catch (IllegalStateException e) {
      throw new ApiException(409, "deny-list-full", "Conflict", e.getMessage())
          .with("field", "peerId");
    } catch (UncheckedIOException e) {
      throw new ApiException(
          503,
          "deny-list-unavailable",
          "Deny-list unavailable",
          "the deny-list could not be saved");
    }
  }

  @DeleteMapping("/deny/{peerId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(operationId = "liftPeerDenial", summary = "Lift a peer's denial (admin)")
  @ProblemResponses({400, 403, 404, 409, 503})
  void lift(@AuthenticationPrincipal ChorusPrincipal caller, @PathVariable String peerId) {
    requireAdmin(caller, AuditEvent.PEER_LIFT, peerId, "lift denials");
    PeerId peer = peerId(peerId);
    DeniedPeers.Entry entry = denied.find(peer).orElse(null);
    if (entry == null) {
      throw ApiException.notFound("peer-not-denied", "peer " + peer + " is not denied")
          .with("field", "peerId");
    }
    if (entry.source() == DeniedPeers.Source.CONFIG) {
      throw new ApiException(
              409,
              "denied-by-configuration",
              "Conflict",
              "peer " + peer + " is denied by chorus.dht.denied-peers; change the configuration")
          .with("field", "peerId");
    }
    audit.record(caller, AuditEvent.PEER_LIFT, peer.toString(), AuditEvent.OK);
    try {
      denied.lift(peer);
    } catch (UncheckedIOException e) {
      throw new ApiException(
          503,
          "deny-list-unavailable",
          "Deny-list unavailable",
          "the deny-list could not be saved");
    }
  }

  private void requireAdmin(ChorusPrincipal caller, String operation, String peer, String what) {
    if (caller == null || !caller.admin()) {
      audit.record(caller, operation, peer, AuditEvent.FORBIDDEN);
      throw ApiException.forbidden("admin-required", "only an admin may " + what);
    }
  }

  private static PeerId peerId(String text) {
    if (text == null || text.isBlank()) {
      throw ApiException.badRequest("peerId", "'peerId' is required: a libp2p peer id");
    }
    try {
      return PeerId.parse(text.strip());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("peerId", "'peerId' is not a peer id: " + e.getMessage());
    }
  }

  /** The denial request. */
  @Schema(name = "DenyPeerRequest")
  record Deny(String peerId, String reason) {}

  /**
   * One denied peer.
   *
   * @param source {@code config} ({@code chorus.dht.denied-peers}, lifted only by changing it) or
   *     {@code api}
   */
  @Schema(name = "DeniedPeer")
  record Denied(String peerId, String reason, String deniedBy, Instant deniedAt, String source) {
    static Denied of(DeniedPeers.Entry e) {
      return new Denied(
          e.peer().toString(),
          e.reason(),
          e.deniedBy(),
          e.deniedAt(),
          e.source().name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * The deny-list.
   *
   * @param allowedPeers {@code chorus.dht.allowed-peers}: when not empty, the only peers this node
   *     talks to
   */
  @Schema(name = "DeniedPeers")
  record DeniedList(int count, List<Denied> denied, List<String> allowedPeers) {}

  /**
   * What a denial did.
   *
   * @param alreadyDenied the peer was denied before (nothing changed)
   * @param closedConnections connections to the peer that were closed
   * @param evicted the peer left the routing table
   */
  @Schema(name = "DenyPeerResult")
  record DenyResult(Denied peer, boolean alreadyDenied, int closedConnections, boolean evicted) {
    static DenyResult of(DeniedPeers.Outcome o) {
      return new DenyResult(
          Denied.of(o.entry()), o.alreadyDenied(), o.closedConnections(), o.evicted());
    }
  }
}
