package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Authentication, problem+json for auth failures, and the public operational endpoints. */
class SecurityAndOpsApiTest extends ApiTestSupport {

  @Test
  void noTokenIs401() {
    HttpResponse<byte[]> response = get("/api/v1/dht/stats", null);
    JsonNode problem = problem(response, 401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(problem.path("detail").asString()).contains("Authorization");
  }

  @Test
  void aBadTokenIs401() {
    HttpResponse<byte[]> response = get("/api/v1/content?address=ucxl://a/b/c/d/e", "not-a-token");
    JsonNode problem = problem(response, 401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("invalid_token");
    assertThat(problem.path("detail").asString()).contains("not valid");
  }

  @Test
  void healthIsPublicAndGradesRealState() {
    HttpResponse<byte[]> anonymous = get("/actuator/health", null);
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(json(anonymous).path("status").asString()).isEqualTo("UP");

    JsonNode readiness = json(get("/actuator/health/readiness", "qa_engineer"));
    assertThat(readiness.path("status").asString()).isEqualTo("UP");
    JsonNode components = readiness.path("components");
    assertThat(components.path("storageWritable").path("status").asString()).isEqualTo("UP");
    assertThat(components.path("recordStore").path("status").asString()).isEqualTo("UP");
    assertThat(components.path("auditChain").path("status").asString()).isEqualTo("UP");
    assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
  }

  @Test
  void prometheusNeedsATokenAndExportsTheStorageMeters() {
    assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
    storeText(newAddress("qa_engineer", "prom.txt"), "qa_engineer", "p");
    HttpResponse<byte[]> response = get("/actuator/prometheus", "qa_engineer");
    assertThat(response.statusCode()).isEqualTo(200);
    String text = new String(response.body());
    assertThat(text)
        .contains("chorus_storage_stores_total")
        .contains("chorus_storage_retrievals_total")
        .contains("chorus_storage_cache_hits_total")
        .contains("chorus_storage_cache_misses_total")
        .contains("chorus_storage_errors_total")
        .contains("chorus_storage_encryption_seconds")
        .contains("chorus_storage_decryption_seconds")
        .contains("chorus_storage_bytes_stored_bytes_total")
        .contains("chorus_audit_failures_total")
        .contains("chorus_http_requests_too_large_total");
  }

  @Test
  void openApiIsPublicAndDeclaresTheBearerScheme() {
    HttpResponse<byte[]> response = get("/v3/api-docs", null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode doc = json(response);
    assertThat(
            doc.path("components").path("securitySchemes").path("bearer").path("scheme").asString())
        .isEqualTo("bearer");
    assertThat(doc.path("paths").has("/api/v1/content")).isTrue();
    assertThat(get("/swagger-ui.html", null).statusCode()).isIn(200, 302);
  }

  @Test
  void pingIsTheCheapestAuthenticatedCall() {
    assertThat(json(get("/api/v1/ping", "qa_engineer")).path("status").asString()).isEqualTo("ok");
    problem(get("/api/v1/ping", null), 401);
  }

  @Test
  void aRequestTheFirewallRefusesIsAProblem() {
    problem(get("/api/v1/content;jsessionid=x?address=ucxl://a/b/c/d/e", "qa_engineer"), 400);
  }

  @Test
  void anUnknownPathIsA404Problem() {
    problem(get("/api/v1/nothing-here", "qa_engineer"), 404);
  }
}
