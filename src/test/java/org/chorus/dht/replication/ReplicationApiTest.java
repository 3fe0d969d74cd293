package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The replication endpoints on a default standalone node (hybrid backend, no peers yet): a store
 * reports the copies it reached (this node's, which is all that is reachable, so the write is
 * complete) and registers the key; status and reprovide say honestly that this one copy is below
 * the factor (critical); problems for bad and unknown addresses; the endpoints in the OpenAPI
 * document and the meters in Prometheus.
 */
class ReplicationApiTest extends ApiTestSupport {

  private static final String ROLE = "backend_developer";

  private JsonNode store(String address) {
    HttpResponse<byte[]> response =
        putJson(
            "/api/v1/content?address=" + enc(address),
            ROLE,
            Map.of("text", "replicate me", "contentType", "text/plain"));
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(201);
    return json(response);
  }

  @Test
  void storeResponseSaysWhatTheWriteReached() {
    JsonNode body = store(newAddress(ROLE, "ack.md"));
    JsonNode replication = body.path("replication");
    assertThat(replication.path("reached").asInt()).isEqualTo(1);
    assertThat(replication.path("target").asInt()).isEqualTo(3);
    assertThat(replication.path("required").asInt()).as("no other node is reachable").isEqualTo(1);
    assertThat(replication.path("complete").asBoolean()).isTrue();
    assertThat(body.path("dhtKey").asString()).startsWith("/CHORUS/ucxl/");
  }

  @Test
  void statusOfAStoredAddressCountsTheOneCopyOfAStandaloneNode() {
    String address = newAddress(ROLE, "status.md");
    String key = store(address).path("dhtKey").asString();
    JsonNode status = json(get("/api/v1/replication/status?address=" + enc(address), ROLE));
    assertThat(status.path("key").asString()).isEqualTo(key);
    assertThat(status.path("tracked").asBoolean()).isTrue();
    assertThat(status.path("backend").asString()).isEqualTo("network");
    assertThat(status.path("target").asInt()).isEqualTo(3);
    assertThat(status.path("actual").asInt()).isEqualTo(1);
    assertThat(status.path("health").asString()).isEqualTo("critical");
    assertThat(status.path("holders").size()).isEqualTo(1);
    assertThat(status.path("nextDue").asString()).isNotBlank();
  }

  @Test
  void reprovideAnnouncesAndReportsTheCount() {
    String address = newAddress(ROLE, "reprovide.md");
    store(address);
    HttpResponse<byte[]> response =
        send("POST", "/api/v1/replication/reprovide?address=" + enc(address), ROLE, null, null);
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("actual").asInt()).isEqualTo(1);
    assertThat(body.path("health").asString()).isEqualTo("critical");
    JsonNode status = json(get("/api/v1/replication/status?address=" + enc(address), ROLE));
    assertThat(status.path("lastReprovided").asString()).isNotBlank();
    assertThat(status.path("providers").size()).isGreaterThanOrEqualTo(1);
    assertThat(status.path("healthyProviders").asInt()).isEqualTo(1);
  }

  @Test
  void metricsCountTrackedKeys() {
    store(newAddress(ROLE, "metrics.md"));
    JsonNode metrics = json(get("/api/v1/replication/metrics", ROLE));
    assertThat(metrics.path("keys").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(metrics.path("factor").asInt()).isEqualTo(3);
    assertThat(metrics.path("critical").asLong()).as("one copy each").isPositive();
    assertThat(metrics.has("reprovideLagSeconds")).isTrue();
  }

  @Test
  void unknownAddressIsNotFoundNamingTheField() {
    String unknown = newAddress(ROLE, "never-stored.md");
    JsonNode p = problem(get("/api/v1/replication/status?address=" + enc(unknown), ROLE), 404);
    assertThat(p.path("field").asString()).isEqualTo("address");
    problem(
        send("POST", "/api/v1/replication/reprovide?address=" + enc(unknown), ROLE, null, null),
        404);
  }

  @Test
  void malformedAddressIsABadRequestNamingTheField() {
    JsonNode p = problem(get("/api/v1/replication/status?address=" + enc("http://x"), ROLE), 400);
    assertThat(p.path("field").asString()).isEqualTo("address");
  }

  @Test
  void needsAToken() {
    assertThat(get("/api/v1/replication/metrics", null).statusCode()).isEqualTo(401);
  }

  @Test
  void metersAreExportedToPrometheus() {
    store(newAddress(ROLE, "prometheus.md"));
    String text = new String(get("/actuator/prometheus", ROLE).body());
    assertThat(text)
        .contains("chorus_replication_keys")
        .contains("chorus_replication_under_replicated")
        .contains("chorus_replication_critical")
        .contains("chorus_replication_repairs_total")
        .contains("chorus_replication_reprovides_total")
        .contains("chorus_replication_reprovide_lag_seconds");
  }

  @Test
  void endpointsAreInTheOpenApiDocument() {
    String doc = new String(get("/v3/api-docs", null).body());
    assertThat(doc)
        .contains("/api/v1/replication/status")
        .contains("/api/v1/replication/metrics")
        .contains("/api/v1/replication/reprovide");
  }
}
