package org.chorus.dht.replication;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.chorus.dht.ucxl.UcxlAddress;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/replication}: live status of one address, the manager's metrics, and a manual
 * republish + reprovide. An address no node knows is a 404 problem; a malformed one a 400 naming
 * {@code address}.
 */
@RestController
@RequestMapping("/api/v1/replication")
@Tag(name = "replication", description = "Replication status, metrics and manual reprovide")
class ReplicationController {

  /** Longest wait for a status or reprovide (a kad lookup with its own timeout, plus margin). */
  static final Duration WAIT = Duration.ofSeconds(90);

  private final ReplicationManager manager;
  private final RolePolicy policy;

  ReplicationController(ReplicationManager manager, RolePolicy policy) {
    this.manager = manager;
    this.policy = policy;
  }

  /** Result of {@code POST /api/v1/replication/reprovide}. */
  record Reprovided(String address, String key, int target, int actual, String health) {}

  @GetMapping("/status")
  @Operation(
      operationId = "getReplicationStatus",
      summary = "Live replication status of an address")
  @ProblemResponses({400, 404})
  ReplicationStatus status(@RequestParam String address) {
    UcxlAddress ucxl = UcxlAddress.parse(address);
    Optional<ReplicationStatus> status = await(manager.status(ucxl.dhtKey()), "status");
    return status.orElseThrow(() -> unknown(ucxl));
  }

  @GetMapping("/metrics")
  @Operation(operationId = "getReplicationMetrics", summary = "The replication manager's counters")
  ReplicationMetrics metrics() {
    return manager.metrics();
  }

  @PostMapping("/reprovide")
  @Operation(operationId = "reprovideContent", summary = "Republish and reprovide an address now")
  @ProblemResponses({400, 403, 404})
  Reprovided reprovide(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestParam String address) {
    policy.requireWriter(caller.role(), "reprovide");
    UcxlAddress ucxl = UcxlAddress.parse(address);
    String key = ucxl.dhtKey();
    if (manager.state(key).isEmpty()) {
      throw unknown(ucxl);
    }
    int actual = await(manager.provideContent(key), "reprovide");
    int target = manager.state(key).map(KeyState::target).orElse(manager.target());
    return new Reprovided(
        ucxl.canonical(), key, target, actual, ReplicationHealth.of(actual, target).label());
  }

  private static ApiException unknown(UcxlAddress ucxl) {
    return ApiException.notFound(
            "replication-unknown-address",
            "no replication state and no copy found for " + ucxl.canonical())
        .with("field", "address");
  }

  private static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "replication-interrupted", "Interrupted", what + " interrupted");
    } catch (ExecutionException e) {
      throw new ApiException(
          502, "replication-failed", "Replication failed", what + " failed: " + e.getCause());
    } catch (TimeoutException e) {
      throw new ApiException(
          504, "replication-timeout", "Replication timed out", what + " timed out after " + WAIT);
    }
  }
}
