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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real nodes on loopback: a hybrid node (the default {@code auto} backend with a bootstrap peer)
 * loses its only peer, keeps acknowledging stores on its local fallback, and when a new peer joins
 * it pushes every one of them to the network, where the new peer serves them.
 */
@Tag("cluster")
class HybridBackendClusterTest {

  static final String TOKEN = "hybrid-cluster-token";
  static final String USER_TOKEN = "hybrid-cluster-user-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  Path root;
  final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @BeforeEach
  void createRoot() throws IOException {
    root = Files.createTempDirectory("chorus-hybrid-test-");
  }

  @AfterEach
  void stop() throws IOException {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  ConfigurableApplicationContext startNode(String name, String backend, String bootstrap) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + root.resolve(name));
    args.add("--chorus.node-id=" + name);
    args.add("--chorus.role-keys-dir=" + root.resolve("role-keys"));
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    args.add("--chorus.dht.backend=" + backend);
    args.add("--chorus.dht.hybrid.probe-interval=200ms");
    args.add("--chorus.dht.hybrid.retry-backoff=200ms");
    if (bootstrap != null) {
      args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    }
    args.add("--chorus.security.tokens[0].principal=cluster-admin");
    args.add("--chorus.security.tokens[0].role=senior_architect");
    args.add("--chorus.security.tokens[0].admin=true");
    args.add("--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN));
    args.add("--chorus.security.tokens[1].principal=cluster-user");
    args.add("--chorus.security.tokens[1].role=senior_architect");
    args.add("--chorus.security.tokens[1].sha256=" + TokenRegistry.sha256Hex(USER_TOKEN));
    ConfigurableApplicationContext node =
        new SpringApplicationBuilder(ChorusDhtApplication.class).run(args.toArray(String[]::new));
    nodes.add(node);
    return node;
  }

  static String listenAddr(ConfigurableApplicationContext node) {
    return node.getBean(NetworkDht.class).stats().listenAddrs().get(0);
  }

  static HttpResponse<String> send(
      ConfigurableApplicationContext node,
      String token,
      String method,
      String pathAndQuery,
      String body)
      throws IOException, InterruptedException {
    return RestCalls.send(node, token, method, pathAndQuery, body);
  }

  static String contentQuery(String address) {
    return "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  @Test
  void storesAcknowledgedDuringAnOutageReachTheNetworkWhenAPeerReturns() throws Exception {
    ConfigurableApplicationContext peer = startNode("peer-1", "network", null);
    ConfigurableApplicationContext hybridNode = startNode("hybrid", "auto", listenAddr(peer));

    // auto + bootstrap peers = hybrid, over a NetworkDht and a LocalDht
    assertThat(hybridNode.getBean(DhtBackend.class)).isInstanceOf(HybridDht.class);
    assertThat(hybridNode.getBeansOfType(LocalDht.class)).hasSize(1);
    assertThat(hybridNode.getBeansOfType(NetworkDht.class)).hasSize(1);
    HybridDht hybrid = hybridNode.getBean(HybridDht.class);

    // start does not wait for the bootstrap: until the node has joined, the hybrid serves from
    // the local store; the probe moves it to the network once the routing table has a peer
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                JSON.readTree(send(hybridNode, TOKEN, "GET", "/api/v1/backends", null).body())
                    .path("active")
                    .asString()
                    .equals("network"));
    JsonNode backends =
        JSON.readTree(send(hybridNode, TOKEN, "GET", "/api/v1/backends", null).body());
    assertThat(backends.path("active").asString()).isEqualTo("network");
    assertThat(backends.path("selection").asString()).isEqualTo("auto");
    assertThat(backends.path("backends")).hasSize(2);

    // The only peer goes away.
    peer.close();
    nodes.remove(peer);

    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String address = "ucxl://agent-h/senior_architect/proj-hybrid/task-1/outage-" + i + ".md";
      HttpResponse<String> stored =
          send(
              hybridNode,
              TOKEN,
              "PUT",
              contentQuery(address),
              JSON.writeValueAsString(
                  Map.of("text", "written offline " + i, "contentType", "text/plain")));
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
      addresses.add(address);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> hybrid.activeName().equals("local"));
    assertThat(hybrid.pendingPushes()).isGreaterThanOrEqualTo(addresses.size());
    assertThat(hybrid.fallbacks()).isGreaterThanOrEqualTo(1);
    // Acknowledged and readable on the hybrid node during the outage.
    HttpResponse<String> offline =
        send(hybridNode, TOKEN, "GET", contentQuery(addresses.get(0)), null);
    assertThat(offline.statusCode()).as(offline.body()).isEqualTo(200);

    JsonNode down = JSON.readTree(send(hybridNode, TOKEN, "GET", "/api/v1/backends", null).body());
    assertThat(down.path("active").asString()).isEqualTo("local");
    assertThat(down.path("backends").get(0).path("status").asString()).isEqualTo("DOWN");
    assertThat(down.path("pendingPushes").asLong()).isGreaterThanOrEqualTo(addresses.size());

    // Manual switch: a non-admin is refused, an admin pins and returns to auto.
    assertThat(
            send(
                    hybridNode,
                    USER_TOKEN,
                    "POST",
                    "/api/v1/backends/active",
                    "{\"backend\":\"network\"}")
                .statusCode())
        .isEqualTo(403);
    HttpResponse<String> pinned =
        send(hybridNode, TOKEN, "POST", "/api/v1/backends/active", "{\"backend\":\"local\"}");
    assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
    assertThat(JSON.readTree(pinned.body()).path("selection").asString()).isEqualTo("local");
    HttpResponse<String> auto =
        send(hybridNode, TOKEN, "POST", "/api/v1/backends/active", "{\"backend\":\"auto\"}");
    assertThat(JSON.readTree(auto.body()).path("selection").asString()).isEqualTo("auto");

    // A new peer joins through the hybrid node; the queue drains into the network.
    ConfigurableApplicationContext peer2 = startNode("peer-2", "network", listenAddr(hybridNode));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> hybrid.activeName().equals("network") && hybrid.pendingPushes() == 0);

    long pushed = hybrid.pushed();
    // The hybrid node goes away: peer 2 can only answer from what it received.
    hybridNode.close();
    nodes.remove(hybridNode);

    NetworkDht peer2Dht = peer2.getBean(NetworkDht.class);
    int lost = 0;
    for (String address : addresses) {
      String key = UcxlAddress.parse(address).dhtKey();
      if (peer2Dht.getValue(key).isEmpty()) {
        lost++;
      }
    }
    System.out.printf(
        "hybrid cluster: stored during outage=%d, pushed=%d, lost=%d%n",
        addresses.size(), pushed, lost);
    assertThat(lost).isZero();

    // And the new peer serves the content through its own API.
    for (int i = 0; i < addresses.size(); i++) {
      HttpResponse<String> got = send(peer2, TOKEN, "GET", contentQuery(addresses.get(i)), null);
      assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
      assertThat(JSON.readTree(got.body()).path("text").asString())
          .isEqualTo("written offline " + i);
    }
  }
}
