package org.chorus.dht.storage;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/backends}: the node's backends with their health and which one is active, and the
 * admin-only manual switch of the {@link HybridDht}. On a node with a single backend the list holds
 * just that one, and switching is refused (409). A switch, and a refused attempt by a non-admin, is
 * audited (operation {@code backend-select}) before it takes effect; if the line cannot be written
 * the switch does not happen (503).
 */
@RestController
@RequestMapping("/api/v1/backends")
@Tag(name = "backends", description = "The node's storage backends and the active one")
class BackendsController {

  private final DhtBackend backend;
  private final ApiAudit audit;

  BackendsController(DhtBackend backend, ApiAudit audit) {
    this.backend = backend;
    this.audit = audit;
  }

  @GetMapping
  @Operation(operationId = "listBackends", summary = "Backends with their health; the active one")
  Backends list() {
    if (backend instanceof HybridDht hybrid) {
      return Backends.of(hybrid.snapshot());
    }
    return single();
  }

  /** Body {@code {"backend": "network" | "local" | "auto"}}; admin only. */
  @PostMapping("/active")
  @Operation(operationId = "selectBackend", summary = "Pin the active backend (admin)")
  @ProblemResponses({400, 403, 409, 503})
  Backends select(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestBody(required = false) Select body) {
    if (caller == null || !caller.admin()) {
      audit.record(
          caller,
          AuditEvent.BACKEND_SELECT,
          body == null ? null : body.backend(),
          AuditEvent.FORBIDDEN);
      throw ApiException.forbidden("admin-required", "only an admin may switch the active backend");
    }
    if (body == null || body.backend() == null || body.backend().isBlank()) {
      throw ApiException.badRequest(
          "backend", "'backend' is required: one of network, local, auto");
    }
    HybridDht.Selection selection;
    try {
      selection = HybridDht.Selection.parse(body.backend());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("backend", e.getMessage());
    }
    if (!(backend instanceof HybridDht hybrid)) {
      throw new ApiException(
              409,
              "backend-switch-unavailable",
              "Conflict",
              "this node runs only the " + backend.name() + " backend; switching needs hybrid")
          .with("field", "backend");
    }
    audit.record(caller, AuditEvent.BACKEND_SELECT, selection.label(), AuditEvent.OK);
    hybrid.select(selection);
    return Backends.of(hybrid.snapshot());
  }

  private Backends single() {
    Health health;
    try {
      backend.stats();
      health = new Health(backend.name(), true, "UP", 0, 0, 0, null, null, 0);
    } catch (RuntimeException e) {
      health = new Health(backend.name(), true, "DOWN", 0, 1, 1, e.getMessage(), null, 0);
    }
    return new Backends(backend.name(), backend.name(), 0, 0, List.of(health));
  }

  /** The switch request. */
  @Schema(name = "SelectBackendRequest")
  record Select(String backend) {}

  /**
   * The response of both calls.
   *
   * @param selection {@code auto}, {@code network} or {@code local} on the hybrid backend; the
   *     backend's name on a single-backend node
   * @param active the backend reads and writes go to first
   * @param pendingPushes writes queued for the network
   * @param fallbacks times the network was taken out of use automatically
   */
  record Backends(
      String selection, String active, long pendingPushes, long fallbacks, List<Health> backends) {

    static Backends of(HybridDht.Snapshot s) {
      return new Backends(
          s.selection().label(),
          s.active(),
          s.pendingPushes(),
          s.fallbacks(),
          s.backends().stream()
              .map(
                  b ->
                      new Health(
                          b.name(),
                          b.active(),
                          b.status().name(),
                          b.operations(),
                          b.errors(),
                          b.consecutiveFailures(),
                          b.lastError(),
                          b.lastErrorAt(),
                          b.latencyMillis()))
              .toList());
    }
  }

  /** One backend's health. */
  @Schema(name = "BackendHealth")
  record Health(
      String name,
      boolean active,
      String status,
      long operations,
      long errors,
      long consecutiveFailures,
      String lastError,
      Instant lastErrorAt,
      double latencyMillis) {}
}
