package org.chorus.dht.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code dht} indicator on real Spring nodes over loopback: a default node without bootstrap
 * peers is standalone and ready; a node whose bootstrap peer is gone is not; once a second node
 * (hybrid backend) joins the first, both are ready on the network; pinning the hybrid node's local
 * backend takes it out of service, and the details show the figures behind each verdict.
 */
@Tag("cluster")
class DhtHealthIndicatorTest {

  static final String TOKEN = "health-test-token";
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
  Path root;

  @AfterEach
  void stop() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    if (root != null) {
      try (var paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aStandaloneNodeIsReadyACutOffOneIsNotAndAJoinedOneIs() throws Exception {
    root = Files.createTempDirectory("chorus-health-test-");
    ConfigurableApplicationContext seed = start(1, null, null); // the default backend, no peers

    HttpResponse<String> alone = get(seed, "/actuator/health/readiness");
    assertThat(alone.statusCode()).as(alone.body()).isEqualTo(200);
    JsonNode dht = JSON.readTree(alone.body()).path("components").path("dht");
    assertThat(dht.path("status").asString()).isEqualTo("UP");
    assertThat(dht.path("details").path("backend").asString()).isEqualTo("hybrid");
    assertThat(dht.path("details").path("standalone").asBoolean()).isTrue();
    assertThat(dht.path("details").path("bootstrapped").asBoolean()).isFalse();
    assertThat(dht.path("details").path("routingTableSize").asInt()).isZero();

    // a node whose bootstrap peer is gone is cut off: not ready (but alive)
    int deadPort = NodeProcess.freePort();
    ConfigurableApplicationContext cutOff = start(3, "network", "/ip4/127.0.0.1/tcp/" + deadPort);
    HttpResponse<String> readiness = get(cutOff, "/actuator/health/readiness");
    assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
    JsonNode down = JSON.readTree(readiness.body()).path("components").path("dht");
    assertThat(down.path("status").asString()).isEqualTo("DOWN");
    assertThat(down.path("details").path("standalone").asBoolean()).isFalse();
    assertThat(down.path("details").path("problems").toString()).contains("routing table empty");
    assertThat(get(cutOff, "/actuator/health/liveness").statusCode())
        .as("a lost network makes the node unready, not dead")
        .isEqualTo(200);
    cutOff.close();
    nodes.remove(cutOff);

    String boot = seed.getBean(DhtBackend.class).stats().listenAddrs().get(0);
    ConfigurableApplicationContext joiner = start(2, "hybrid", boot);
    HybridDht hybrid = (HybridDht) joiner.getBean(DhtBackend.class);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> dhtComponent(seed).path("details").path("routingTableSize").asInt() == 1);
    JsonNode up = dhtComponent(seed);
    assertThat(up.path("status").asString()).isEqualTo("UP");
    assertThat(up.path("details").path("standalone").asBoolean()).isFalse();
    assertThat(up.path("details").path("bootstrapped").asBoolean()).isTrue();
    assertThat(up.path("details").path("activeBackend").asString()).isEqualTo("network");
    assertThat(up.path("details").path("connectedPeers").asInt()).isEqualTo(1);
    assertThat(up.path("details").path("problems").size()).isZero();

    // the hybrid node is ready once its maintenance found the network up
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get(joiner, "/actuator/health/readiness").statusCode() == 200);
    JsonNode joined = dhtComponent(joiner);
    assertThat(joined.path("details").path("backend").asString()).isEqualTo("hybrid");
    assertThat(joined.path("details").path("activeBackend").asString()).isEqualTo("network");
    assertThat(joined.path("details").path("pendingPushes").asLong()).isZero();
    assertThat(joined.path("details").path("queriesAnswered").asLong())
        .as("its bootstrap lookup was answered")
        .isPositive();
    assertThat(joined.path("details").path("lastAnsweredQuery").isMissingNode()).isFalse();
    // the replication manager's figures join the same indicator
    assertThat(joined.path("details").path("trackedKeys").isMissingNode()).isFalse();
    assertThat(joined.path("details").path("criticalKeys").asLong()).isZero();
    assertThat(joined.path("details").path("reprovideLagSeconds").asLong()).isZero();

    hybrid.select(HybridDht.Selection.LOCAL);
    HttpResponse<String> pinned = get(joiner, "/actuator/health/readiness");
    assertThat(pinned.statusCode()).isEqualTo(503);
    JsonNode out = JSON.readTree(pinned.body()).path("components").path("dht");
    assertThat(out.path("status").asString()).isEqualTo("OUT_OF_SERVICE");
    assertThat(out.path("details").path("activeBackend").asString()).isEqualTo("local");
    assertThat(out.path("details").path("problems").toString()).contains("pinned");

    hybrid.select(HybridDht.Selection.AUTO);
    assertThat(get(joiner, "/actuator/health/readiness").statusCode()).isEqualTo(200);
  }

  JsonNode dhtComponent(ConfigurableApplicationContext node) throws Exception {
    return JSON.readTree(get(node, "/actuator/health/readiness").body())
        .path("components")
        .path("dht");
  }

  ConfigurableApplicationContext start(int n, String backend, String bootstrap) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + root.resolve("node-" + n));
    args.add("--chorus.node-id=node-" + n);
    args.add("--chorus.role-keys-dir=" + root.resolve("role-keys"));
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    if (backend != null) {
      args.add("--chorus.dht.backend=" + backend);
    }
    args.add("--chorus.dht.hybrid.probe-interval=500ms");
    args.add("--chorus.health.dht.start-grace=0s");
    if (bootstrap != null) {
      args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    }
    args.add("--chorus.security.tokens[0].principal=health-user");
    args.add("--chorus.security.tokens[0].role=senior_architect");
    args.add("--chorus.security.tokens[0].admin=true");
    args.add(
        "--chorus.security.tokens[0].sha256="
            + org.chorus.dht.system.TokenRegistry.sha256Hex(TOKEN));
    long t0 = System.nanoTime();
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(ChorusDhtApplication.class).run(args.toArray(String[]::new));
    nodes.add(ctx);
    System.out.printf(
        "spring node %d (%s backend) started in %d ms%n",
        n, backend == null ? "default" : backend, (System.nanoTime() - t0) / 1_000_000);
    return ctx;
  }

  static HttpResponse<String> get(ConfigurableApplicationContext node, String path)
      throws Exception {
    int port = ((WebServerApplicationContext) node).getWebServer().getPort();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .GET()
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
