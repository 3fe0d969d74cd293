package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.testing.RestCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node on the embedded backend keeps its peer id and what it announced across a restart, and
 * re-announces it at start (a fresh signed peer record).
 */
class DiscoveryRestartTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dataDir;

  @Test
  void announcementsAreRepublishedAfterARestart() throws Exception {
    String token;
    String peerId;
    Instant announcedAt;
    try (ConfigurableApplicationContext node = start()) {
      token = Files.readString(dataDir.resolve("initial-token")).trim();
      JsonNode a =
          JSON.readTree(
              send(
                      node,
                      "POST",
                      "/api/v1/roles/announce",
                      token,
                      "{\"capabilities\":[\"architecture\"]}")
                  .body());
      peerId = a.path("peerId").asString();
      announcedAt = Instant.parse(a.path("timestamp").asString());
      assertThat(a.path("role").asString()).isEqualTo("senior_architect");
    }

    try (ConfigurableApplicationContext node = start()) {
      JsonNode peer =
          await()
              .atMost(20, TimeUnit.SECONDS)
              .until(
                  () ->
                      JSON.readTree(
                              send(node, "GET", "/api/v1/peers?role=senior_architect", token, null)
                                  .body())
                          .path("peers")
                          .get(0),
                  p ->
                      p != null
                          && Instant.parse(p.path("timestamp").asString()).isAfter(announcedAt));
      assertThat(peer.path("peerId").asString()).isEqualTo(peerId);
      assertThat(peer.path("verified").asBoolean()).isTrue();
      assertThat(peer.path("capabilities").valueStream().map(JsonNode::asString))
          .containsExactly("architecture");
    }
  }

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(ChorusDhtApplication.class)
        .run(
            "--server.port=0",
            "--chorus.data-dir=" + dataDir,
            "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
            "--chorus.node-id=discovery-restart-node",
            "--chorus.roles.announce-initial-delay=0s",
            "--spring.main.banner-mode=off");
  }

  private static HttpResponse<String> send(
      ConfigurableApplicationContext node, String method, String path, String token, String json)
      throws IOException, InterruptedException {
    return RestCalls.send(node, token, method, path, json);
  }
}
