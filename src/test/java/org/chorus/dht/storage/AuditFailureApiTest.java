package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.system.TokenRegistry;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Over HTTP, a store whose audit line cannot be written answers a 503 problem, not 201, and the
 * auditChain health goes DOWN. A node of its own (the audit log is closed for good), on the local
 * backend.
 */
class AuditFailureApiTest {

  static final String TOKEN = "audit-failure-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static ConfigurableApplicationContext node;

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("chorus-audit-failure-");
    node =
        SpringNodes.start(
            List.of(
                "--server.port=0",
                "--chorus.data-dir=" + root.resolve("data"),
                "--chorus.node-id=audit-failure",
                "--chorus.dht.backend=local",
                "--chorus.security.tokens[0].principal=dev",
                "--chorus.security.tokens[0].role=backend_developer",
                "--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN)));
  }

  @AfterAll
  static void stop() throws IOException {
    SpringNodes.stopAll(node == null ? List.of() : List.of(node), root);
  }

  static HttpResponse<String> store(String address, String text) throws Exception {
    return RestCalls.send(
        node,
        TOKEN,
        "PUT",
        "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8),
        JSON.writeValueAsString(Map.of("text", text, "contentType", "text/plain")));
  }

  @Test
  void aStoreThatCannotBeAuditedAnswers503AndIsNotAcknowledged() throws Exception {
    String address = "ucxl://agent-1/backend_developer/proj-audit/task-1/notes.md";
    HttpResponse<String> before = store(address, "audited");
    assertThat(before.statusCode()).as(before.body()).isEqualTo(201);

    node.getBean(AuditLog.class).close(); // from here no line can be written

    HttpResponse<String> after = store(address, "not audited");
    assertThat(after.statusCode()).as(after.body()).isEqualTo(503);
    assertThat(after.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode problem = JSON.readTree(after.body());
    assertThat(problem.path("type").asString()).isEqualTo("urn:chorus:problem:audit-unavailable");
    assertThat(problem.path("status").asInt()).isEqualTo(503);
    assertThat(problem.path("detail").asString()).contains("not acknowledged");
    assertThat(problem.has("version")).as("no envelope metadata in the answer").isFalse();

    HttpResponse<String> health = RestCalls.send(node, TOKEN, "GET", "/actuator/health", null);
    JsonNode audit = JSON.readTree(health.body()).path("components").path("auditChain");
    assertThat(audit.path("status").asString()).isEqualTo("DOWN");
    assertThat(audit.path("details").path("findings").toString()).contains("takes no more lines");

    HttpResponse<String> metrics = RestCalls.send(node, TOKEN, "GET", "/actuator/prometheus", null);
    assertThat(metrics.body()).containsPattern("chorus_audit_failures_total(\\{[^}]*\\})? 1\\.0");
  }
}
