package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.testing.RestCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node started with no configuration on a fresh data directory creates its keys and an initial
 * token; stopped and started again on the same directory, it reuses them and still serves what it
 * stored.
 */
class RestartTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dataDir;

  @Test
  void contentSurvivesARestartAndTheFirstStartSecretsAreReused() throws Exception {
    String address = "ucxl://restart/senior_architect/chorus/t1/decision.md";
    String token;
    String roleKey;
    byte[] identity;
    try (ConfigurableApplicationContext node = start()) {
      Path tokenFile = dataDir.resolve("initial-token");
      assertThat(tokenFile).exists();
      assertThat(Files.getPosixFilePermissions(tokenFile))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      token = Files.readString(tokenFile).trim();
      assertThat(Files.readAllLines(tokenFile)).hasSize(1);
      for (String role :
          new String[] {
            "backend_developer",
            "frontend_developer",
            "senior_architect",
            "devops_engineer",
            "qa_engineer",
            "project_manager",
            "read_only_observer"
          }) {
        Path key = dataDir.resolve("role-keys").resolve(role + ".key");
        assertThat(Files.readString(key)).contains("AGE-SECRET-KEY-1");
        assertThat(Files.getPosixFilePermissions(key))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
      roleKey = Files.readString(dataDir.resolve("role-keys/senior_architect.key"));
      Path identityFile = dataDir.resolve(NodeIdentity.FILE_NAME);
      assertThat(Files.getPosixFilePermissions(identityFile))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(dataDir.resolve(NodeIdentity.LEGACY_SIGNING_KEY_FILE)).doesNotExist();
      identity = Files.readAllBytes(identityFile);

      HttpResponse<String> stored =
          send(
              node,
              "PUT",
              "/api/v1/content?address=" + enc(address),
              token,
              "{\"text\":\"survives restarts\",\"contentType\":\"text/markdown\"}");
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    }

    try (ConfigurableApplicationContext node = start()) {
      assertThat(Files.readString(dataDir.resolve("initial-token")).trim()).isEqualTo(token);
      assertThat(Files.readString(dataDir.resolve("role-keys/senior_architect.key")))
          .isEqualTo(roleKey);
      assertThat(Files.readAllBytes(dataDir.resolve(NodeIdentity.FILE_NAME))).isEqualTo(identity);
      HttpResponse<String> found =
          send(node, "GET", "/api/v1/content?address=" + enc(address), token, null);
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(found.body());
      assertThat(body.path("text").asString()).isEqualTo("survives restarts");
      assertThat(body.path("metadata").path("contentType").asString()).isEqualTo("text/markdown");

      HttpResponse<String> search =
          send(node, "GET", "/api/v1/content/search?project=chorus", token, null);
      assertThat(JSON.readTree(search.body()).path("count").asInt()).isEqualTo(1);
      HttpResponse<String> health = send(node, "GET", "/actuator/health/readiness", token, null);
      assertThat(health.body()).contains("\"auditChain\"").doesNotContain("DOWN");
    }
  }

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(ChorusDhtApplication.class)
        .run(
            "--server.port=0",
            "--chorus.data-dir=" + dataDir,
            "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
            "--chorus.node-id=restart-node",
            "--spring.main.banner-mode=off");
  }

  private static HttpResponse<String> send(
      ConfigurableApplicationContext node, String method, String path, String token, String json)
      throws Exception {
    return RestCalls.send(node, token, method, path, json);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
