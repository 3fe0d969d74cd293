package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Admin actions and raw DHT puts leave audit lines naming the caller, and the auditChain health
 * shows the anchor and the last signed checkpoint, on the shared default node.
 */
class AuditApiTest extends ApiTestSupport {

  /** The audit lines of the shared node, parsed. */
  static List<JsonNode> auditLines() throws IOException {
    return Files.readAllLines(DATA_DIR.resolve("audit.log"), StandardCharsets.UTF_8).stream()
        .map(JSON::readTree)
        .toList();
  }

  static List<JsonNode> linesOf(String operation, String principal) throws IOException {
    return auditLines().stream()
        .filter(l -> operation.equals(l.path("operation").asString()))
        .filter(l -> principal.equals(l.path("principal").asString()))
        .toList();
  }

  HttpResponse<byte[]> select(String role, String backend) {
    return send(
        "POST",
        "/api/v1/backends/active",
        role,
        ("{\"backend\":\"" + backend + "\"}").getBytes(StandardCharsets.UTF_8),
        "application/json");
  }

  @Test
  void theBackendSwitchIsAuditedWithTheAdminAndARefusedAttemptToo() throws Exception {
    int before = linesOf("backend-select", "user-senior_architect").size();
    try {
      assertThat(select("senior_architect", "local").statusCode()).isEqualTo(200);
    } finally {
      assertThat(select("senior_architect", "auto").statusCode()).isEqualTo(200);
    }
    List<JsonNode> admin = linesOf("backend-select", "user-senior_architect");
    assertThat(admin).hasSize(before + 2);
    JsonNode pinned = admin.get(before);
    assertThat(pinned.path("role").asString()).isEqualTo("senior_architect");
    assertThat(pinned.path("address").asString()).isEqualTo("local");
    assertThat(pinned.path("outcome").asString()).isEqualTo("ok");
    assertThat(admin.get(before + 1).path("address").asString()).isEqualTo("auto");

    int refusedBefore = linesOf("backend-select", "user-backend_developer").size();
    problem(select("backend_developer", "network"), 403);
    List<JsonNode> refused = linesOf("backend-select", "user-backend_developer");
    assertThat(refused).hasSize(refusedBefore + 1);
    assertThat(refused.get(refusedBefore).path("outcome").asString()).isEqualTo("forbidden");
    assertThat(refused.get(refusedBefore).path("address").asString()).isEqualTo("network");
  }

  @Test
  void rawDhtPutsAreAuditedWithTheCaller() throws Exception {
    String key = "/test/audited-" + System.nanoTime();
    problem(
        send(
            "PUT",
            "/api/v1/dht/values/" + enc(key),
            "senior_architect",
            new byte[] {7, 7},
            "application/octet-stream"),
        400);
    List<JsonNode> admin =
        linesOf("put_value", "user-senior_architect").stream()
            .filter(l -> key.equals(l.path("address").asString()))
            .toList();
    assertThat(admin).hasSize(1);
    assertThat(admin.get(0).path("outcome").asString()).isEqualTo("forbidden");
    assertThat(admin.get(0).path("size").asLong()).isEqualTo(2);

    problem(
        send(
            "PUT",
            "/api/v1/dht/values/" + enc(key),
            "devops_engineer",
            new byte[] {7},
            "application/octet-stream"),
        403);
    assertThat(
            linesOf("denied", "user-devops_engineer").stream()
                .filter(l -> key.equals(l.path("address").asString())))
        .hasSize(1);
  }

  @Test
  void theAuditChainHealthShowsTheAnchorAndTheLastCheckpoint() {
    JsonNode audit =
        json(get("/actuator/health", "senior_architect")).path("components").path("auditChain");
    assertThat(audit.path("status").asString()).as(audit.toString()).isEqualTo("UP");
    JsonNode details = audit.path("details");
    assertThat(details.path("anchor").asString()).isIn("new", "anchored");
    assertThat(details.path("lastCheckpoint").path("lines").asLong()).isPositive();
    assertThat(details.path("lastCheckpoint").path("peer").asString()).startsWith("12D3KooW");
    assertThat(details.has("findings")).isFalse();
  }
}
