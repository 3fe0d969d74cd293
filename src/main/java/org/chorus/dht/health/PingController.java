package org.chorus.dht.health;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/ping}: the cheapest authenticated call (same filters, token check and JSON
 * writing as the API, no storage work); the baseline of the HTTP benchmark.
 */
@RestController
@Tag(name = "system", description = "Node liveness for API clients")
class PingController {

  record Pong(String status) {}

  private static final Pong PONG = new Pong("ok");

  @GetMapping("/api/v1/ping")
  @Operation(operationId = "ping", summary = "The cheapest authenticated call")
  Pong ping() {
    return PONG;
  }
}
