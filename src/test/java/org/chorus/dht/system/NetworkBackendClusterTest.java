package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Three full nodes in one JVM on the network backend over loopback: node 1 is the bootstrap peer of
 * nodes 2 and 3; they share one role-keys directory and one token. Content stored through node 1's
 * API is read back through node 3's.
 */
@Tag("cluster")
class NetworkBackendClusterTest {

  static final String TOKEN = "cluster-test-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("chorus-netdht-test-");
    Path roleKeys = root.resolve("role-keys");
    nodes.add(startNode(1, roleKeys, null));
    String boot = network(nodes.get(0)).stats().listenAddrs().get(0);
    nodes.add(startNode(2, roleKeys, boot));
    nodes.add(startNode(3, roleKeys, boot));
    // start does not wait for the network: the bootstrap runs in the background
    for (ConfigurableApplicationContext node : nodes) {
      await().atMost(Duration.ofSeconds(30)).until(() -> network(node).stats().bootstrapped());
    }
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
            new SpringNodes.Caller("cluster-user", "senior_architect", true, TOKEN));
    return SpringNodes.start(args);
  }

  static NetworkDht network(ConfigurableApplicationContext node) {
    return SpringNodes.network(node);
  }

  static int port(ConfigurableApplicationContext node) {
    return RestCalls.port(node);
  }

  static HttpResponse<String> send(
      ConfigurableApplicationContext node, String method, String pathAndQuery, String body)
      throws IOException, InterruptedException {
    return RestCalls.send(node, TOKEN, method, pathAndQuery, body);
  }

  @Test
  void storeOnNodeOneRetrieveOnNodeThree() throws Exception {
    String address = "ucxl://agent-1/senior_architect/proj-netdht/task-1/notes.md";
    String query = "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    String body =
        JSON.writeValueAsString(Map.of("text", "over the network", "contentType", "text/plain"));

    HttpResponse<String> stored = send(nodes.get(0), "PUT", query, body);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);

    HttpResponse<String> got = send(nodes.get(2), "GET", query, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    assertThat(JSON.readTree(got.body()).path("text").asString()).isEqualTo("over the network");

    HttpResponse<String> stats = send(nodes.get(2), "GET", "/api/v1/dht/stats", null);
    assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    JsonNode s = JSON.readTree(stats.body());
    assertThat(s.path("backend").asString()).isEqualTo("network");
    assertThat(s.path("bootstrapped").asBoolean()).isTrue();
    assertThat(s.path("routingTableSize").asInt()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void peersEndpointListsTheOtherNodes() throws Exception {
    String kad = "/CHORUS/kad/1.0.0";
    for (int i = 0; i < nodes.size(); i++) {
      ConfigurableApplicationContext node = nodes.get(i);
      List<String> others = new ArrayList<>();
      for (int j = 0; j < nodes.size(); j++) {
        if (j != i) {
          others.add(network(nodes.get(j)).stats().peerId());
        }
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> peerIds(JSON.readTree(get(node, "/api/v1/dht/peers"))).containsAll(others));
      JsonNode body = JSON.readTree(get(node, "/api/v1/dht/peers"));
      assertThat(body.path("count").asInt()).isEqualTo(body.path("peers").size());
      for (JsonNode peer : body.path("peers")) {
        if (!others.contains(peer.path("peerId").asString())) {
          continue;
        }
        assertThat(peer.path("addresses").size()).isPositive();
        assertThat(peer.path("addresses").get(0).asString()).startsWith("/ip4/127.0.0.1/tcp/");
        assertThat(peer.path("direction").asString())
            .isIn("inbound", "outbound", "inbound,outbound");
        assertThat(peer.path("agentVersion").asString()).isNotEmpty();
        List<String> protocols = new ArrayList<>();
        peer.path("protocols").forEach(p -> protocols.add(p.asString()));
        assertThat(protocols).contains(kad);
      }
    }
    // node 1 was dialled by the others, it dialled no one
    JsonNode first = JSON.readTree(get(nodes.get(0), "/api/v1/dht/peers"));
    assertThat(first.path("peers").get(0).path("direction").asString()).contains("inbound");
  }

  @Test
  void routingTableEndpointListsTheOtherNodes() throws Exception {
    ConfigurableApplicationContext node = nodes.get(1);
    List<String> others =
        List.of(network(nodes.get(0)).stats().peerId(), network(nodes.get(2)).stats().peerId());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                tablePeerIds(JSON.readTree(get(node, "/api/v1/dht/routing-table")))
                    .containsAll(others));
    JsonNode table = JSON.readTree(get(node, "/api/v1/dht/routing-table"));
    assertThat(table.path("size").asInt()).isEqualTo(tablePeerIds(table).size()).isEqualTo(2);
    for (JsonNode bucket : table.path("buckets")) {
      assertThat(bucket.path("cpl").asInt()).isBetween(0, 255);
      for (JsonNode peer : bucket.path("peers")) {
        assertThat(peer.path("lastSeenMillisAgo").asLong()).isNotNegative();
      }
    }
    JsonNode peers = JSON.readTree(get(node, "/api/v1/dht/peers"));
    for (JsonNode peer : peers.path("peers")) {
      if (others.contains(peer.path("peerId").asString())) {
        assertThat(peer.path("inRoutingTable").asBoolean()).isTrue();
      }
    }
  }

  static String get(ConfigurableApplicationContext node, String path) throws Exception {
    HttpResponse<String> r = send(node, "GET", path, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  static List<String> peerIds(JsonNode peers) {
    List<String> out = new ArrayList<>();
    peers.path("peers").forEach(p -> out.add(p.path("peerId").asString()));
    return out;
  }

  static List<String> tablePeerIds(JsonNode table) {
    List<String> out = new ArrayList<>();
    table
        .path("buckets")
        .forEach(b -> b.path("peers").forEach(p -> out.add(p.path("peerId").asString())));
    return out;
  }
}
