package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/backends} on the default single-node (local) backend. The hybrid side is covered
 * by {@code HybridBackendClusterTest}.
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
  void theLocalBackendListsJustItself() {
    HttpResponse<byte[]> response = get("/api/v1/backends", "read_only_observer");
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("active").asString()).isEqualTo("local");
    assertThat(body.path("backends")).hasSize(1);
    JsonNode local = body.path("backends").get(0);
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
  void aSingleBackendNodeCannotSwitch() {
    JsonNode problem = problem(post("senior_architect", "{\"backend\":\"network\"}"), 409);
    assertThat(problem.path("detail").asString()).contains("local");
    assertThat(json(get("/api/v1/backends", "senior_architect")).path("active").asString())
        .isEqualTo("local");
  }
}
