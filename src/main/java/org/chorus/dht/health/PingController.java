package org.chorus.dht.health;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/ping}: the cheapest authenticated call (same filters, token check and JSON
 * writing as the API, no storage work); the baseline of the HTTP benchmark.
 */
@RestController
class PingController {

  record Pong(String status) {}

  private static final Pong PONG = new Pong("ok");

  @GetMapping("/api/v1/ping")
  Pong ping() {
    return PONG;
  }
}
