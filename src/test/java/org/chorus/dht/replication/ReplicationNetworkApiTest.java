package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three full nodes on the network backend over loopback: a store through node 1's API reports 3
 * copies reached, node 1's replication status counts 3 holders by asking the peers, and after node
 * 3 stops the status is degraded with 2.
 */
@Tag("cluster")
class ReplicationNetworkApiTest {

  static final String TOKEN = "replication-test-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("chorus-replication-api-");
    Path roleKeys = root.resolve("role-keys");
    nodes.add(startNode(1, roleKeys, null));
    NetworkDht first = (NetworkDht) nodes.get(0).getBean(DhtBackend.class);
    String boot = first.stats().listenAddrs().get(0);
    nodes.add(startNode(2, roleKeys, boot));
    nodes.add(startNode(3, roleKeys, boot));
    first.refresh().join();
  }

  @AfterAll
  static void stop() throws IOException {
    SpringNodes.stopAll(nodes, root);
  }

  static ConfigurableApplicationContext startNode(int n, Path roleKeys, String bootstrap) {
    List<String> args =
        SpringNodes.networkArgs(
            root,
            n,
            roleKeys,
            bootstrap,
            new SpringNodes.Caller("replication-user", "senior_architect", false, TOKEN));
    return SpringNodes.start(args);
  }

  static HttpResponse<String> send(int node, String method, String pathAndQuery, String body)
      throws IOException, InterruptedException {
    return RestCalls.send(nodes.get(node), TOKEN, method, pathAndQuery, body);
  }

  @Test
  void storeReportsReplicasAndStatusCountsThemByAskingPeers() throws Exception {
    String address = "ucxl://agent-1/senior_architect/proj-repl/task-1/notes.md";
    String q = "?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    String body =
        JSON.writeValueAsString(Map.of("text", "three copies", "contentType", "text/plain"));

    HttpResponse<String> stored = send(0, "PUT", "/api/v1/content" + q, body);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    JsonNode replication = JSON.readTree(stored.body()).path("replication");
    assertThat(replication.path("reached").asInt()).isEqualTo(3);
    assertThat(replication.path("target").asInt()).isEqualTo(3);
    assertThat(replication.path("complete").asBoolean()).isTrue();

    HttpResponse<String> status = send(0, "GET", "/api/v1/replication/status" + q, null);
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    JsonNode s = JSON.readTree(status.body());
    assertThat(s.path("backend").asString()).isEqualTo("network");
    assertThat(s.path("tracked").asBoolean()).isTrue();
    assertThat(s.path("target").asInt()).isEqualTo(3);
    assertThat(s.path("actual").asInt()).isEqualTo(3);
    assertThat(s.path("holders").size()).isEqualTo(3);
    assertThat(s.path("health").asString()).isEqualTo("healthy");

    HttpResponse<String> reprovided = send(0, "POST", "/api/v1/replication/reprovide" + q, null);
    assertThat(reprovided.statusCode()).as(reprovided.body()).isEqualTo(200);
    s = JSON.readTree(send(0, "GET", "/api/v1/replication/status" + q, null).body());
    assertThat(s.path("lastReprovided").asString()).isNotBlank();
    JsonNode provider = s.path("providers").path(0);
    assertThat(provider.path("quality").asDouble()).isEqualTo(1.0);
    assertThat(provider.path("xorDistance").asString()).hasSize(64);
    assertThat(s.path("healthyProviders").asInt()).isGreaterThanOrEqualTo(1);

    nodes.remove(2).close();
    s = JSON.readTree(send(0, "GET", "/api/v1/replication/status" + q, null).body());
    assertThat(s.path("actual").asInt()).isEqualTo(2);
    assertThat(s.path("health").asString()).isEqualTo("degraded");
    JsonNode metrics = JSON.readTree(send(0, "GET", "/api/v1/replication/metrics", null).body());
    assertThat(metrics.path("underReplicated").asLong()).isEqualTo(1);
    assertThat(metrics.path("factor").asInt()).isEqualTo(3);
  }
}
