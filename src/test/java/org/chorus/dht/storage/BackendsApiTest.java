package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/backends} on the default node: the hybrid backend, standalone (no peers yet), so
 * the local store is active and the network waits for a peer. The switch to the network when peers
 * join is covered by {@code HybridBackendClusterTest}, a local-only node by {@code
 * NodeDefaultsTest}.
 */
class BackendsApiTest extends ApiTestSupport {

  HttpResponse<byte[]> post(String role, String body) {
    return send(
        "POST",
        "/api/v1/backends/active",
        role,
        body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "application/json");
  }

  @Test
  void theDefaultNodeListsTheNetworkAndTheLocalBackend() {
    HttpResponse<byte[]> response = get("/api/v1/backends", "read_only_observer");
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("selection").asString()).isEqualTo("auto");
    assertThat(body.path("active").asString()).as("no peer yet").isEqualTo("local");
    assertThat(body.path("backends")).hasSize(2);
    assertThat(body.path("backends").get(0).path("name").asString()).isEqualTo("network");
    assertThat(body.path("backends").get(0).path("active").asBoolean()).isFalse();
    JsonNode local = body.path("backends").get(1);
    assertThat(local.path("name").asString()).isEqualTo("local");
    assertThat(local.path("active").asBoolean()).isTrue();
    assertThat(local.path("status").asString()).isEqualTo("UP");
  }

  @Test
  void switchingNeedsATokenAndAnAdmin() {
    assertThat(post(null, "{\"backend\":\"local\"}").statusCode()).isEqualTo(401);
    JsonNode problem = problem(post("backend_developer", "{\"backend\":\"local\"}"), 403);
    assertThat(problem.path("detail").asString()).contains("admin");
  }

  @Test
  void aBadValueNamesTheField() {
    JsonNode unknown = problem(post("senior_architect", "{\"backend\":\"cloud\"}"), 400);
    assertThat(unknown.path("field").asString()).isEqualTo("backend");
    assertThat(unknown.path("detail").asString()).contains("cloud");

    JsonNode missing = problem(post("senior_architect", "{}"), 400);
    assertThat(missing.path("field").asString()).isEqualTo("backend");
  }

  @Test
  void anAdminPinsTheLocalBackendAndReturnsToAuto() {
    try {
      HttpResponse<byte[]> pinned = post("senior_architect", "{\"backend\":\"local\"}");
      assertThat(pinned.statusCode()).as(new String(pinned.body())).isEqualTo(200);
      JsonNode state = json(get("/api/v1/backends", "senior_architect"));
      assertThat(state.path("selection").asString()).isEqualTo("local");
      assertThat(state.path("active").asString()).isEqualTo("local");
    } finally {
      HttpResponse<byte[]> auto = post("senior_architect", "{\"backend\":\"auto\"}");
      assertThat(auto.statusCode()).as(new String(auto.body())).isEqualTo(200);
    }
    assertThat(json(get("/api/v1/backends", "senior_architect")).path("selection").asString())
        .isEqualTo("auto");
  }
}
