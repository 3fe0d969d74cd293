package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.kad.jobs.DhtMaintenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A network node whose only bootstrap peer accepts TCP connections but never answers (the dial
 * hangs until the host's dial timeout): the application starts without waiting for it, reports
 * {@code bootstrapped=false}, and serves the API from its local stores.
 */
@Tag("cluster")
class NetworkBackgroundBootstrapTest {

  static Path root;
  static ServerSocket silentPeer;
  static ConfigurableApplicationContext node;

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("chorus-bg-boot-test-");
    silentPeer = new ServerSocket(0, 8, InetAddress.getLoopbackAddress()); // never accepts
    String boot = "/ip4/127.0.0.1/tcp/" + silentPeer.getLocalPort();
    node =
        new SpringApplicationBuilder(ChorusDhtApplication.class)
            .run(
                "--server.port=0",
                "--chorus.data-dir=" + root.resolve("node"),
                "--chorus.node-id=lonely",
                "--chorus.role-keys-dir=" + root.resolve("role-keys"),
                "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
                "--chorus.dht.backend=network",
                "--chorus.dht.bootstrap-peers=" + boot,
                "--chorus.dht.auto-bootstrap-interval=200ms",
                "--chorus.security.tokens[0].principal=lonely-user",
                "--chorus.security.tokens[0].role=senior_architect",
                "--chorus.security.tokens[0].admin=true",
                "--chorus.security.tokens[0].sha256="
                    + TokenRegistry.sha256Hex(NetworkBackendClusterTest.TOKEN));
  }

  @AfterAll
  static void stop() throws IOException {
    if (node != null) {
      node.close();
    }
    if (silentPeer != null) {
      silentPeer.close();
    }
    if (root != null) {
      try (var paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void startsWithoutWaitingForTheBootstrapPeer() throws Exception {
    DhtMaintenance maintenance = node.getBean(DhtMaintenance.class);
    DhtMaintenance.JobStats boot = maintenance.stats(DhtMaintenance.AUTO_BOOTSTRAP).orElseThrow();
    // the first attempt started and has not ended: the context came up while it hangs
    assertThat(boot.runs()).isPositive();
    assertThat(boot.lastSuccess()).isEmpty();

    JsonNode stats =
        NetworkBackendClusterTest.JSON.readTree(
            NetworkBackendClusterTest.get(node, "/api/v1/dht/stats"));
    assertThat(stats.path("backend").asString()).isEqualTo("network");
    assertThat(stats.path("bootstrapped").asBoolean()).isFalse();
    assertThat(stats.path("routingTableSize").asInt()).isZero();
    JsonNode table =
        NetworkBackendClusterTest.JSON.readTree(
            NetworkBackendClusterTest.get(node, "/api/v1/dht/routing-table"));
    assertThat(table.path("size").asInt()).isZero();
    assertThat(table.path("buckets").size()).isZero();
  }

  @Test
  void theApiWorksWhileAlone() throws Exception {
    String address = "ucxl://agent-1/senior_architect/proj-alone/task-1/notes.md";
    String query = "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    String body =
        NetworkBackendClusterTest.JSON.writeValueAsString(
            Map.of("text", "nobody else here", "contentType", "text/plain"));
    var stored = NetworkBackendClusterTest.send(node, "PUT", query, body);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    var got = NetworkBackendClusterTest.send(node, "GET", query, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    assertThat(NetworkBackendClusterTest.JSON.readTree(got.body()).path("text").asString())
        .isEqualTo("nobody else here");
  }
}
