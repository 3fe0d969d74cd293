package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.testing.NodeProcess;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Clusters formed from default settings: each node gets its ports and data directory, the later
 * ones the first node's role keys and its address as bootstrap peer, and nothing else (default
 * backend, default tokens: each node's generated {@code initial-token}). Real TCP on loopback.
 */
@Tag("cluster")
class DefaultsClusterTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path root;
  final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
  NodeProcess process;

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.close();
    }
    SpringNodes.stopAll(nodes, null);
  }

  /** Ports and a data directory: the only settings a default node gets here. */
  static List<String> defaults(Path dataDir) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + dataDir);
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    return args;
  }

  /** {@link #defaults} plus the first node's role keys and address. */
  static List<String> joining(Path dataDir, Path firstDataDir, String bootstrap) {
    List<String> args = defaults(dataDir);
    args.add("--chorus.role-keys-dir=" + firstDataDir.resolve("role-keys"));
    args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    return args;
  }

  ConfigurableApplicationContext start(List<String> args) {
    ConfigurableApplicationContext node = SpringNodes.start(args);
    nodes.add(node);
    return node;
  }

  static String token(Path dataDir) throws Exception {
    return Files.readString(dataDir.resolve("initial-token")).trim();
  }

  static String query(String address) {
    return "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  static JsonNode store(int port, String token, String address, String text) throws Exception {
    String body = JSON.writeValueAsString(Map.of("text", text, "contentType", "text/plain"));
    HttpResponse<String> r =
        RestCalls.send(port, token, "PUT", query(address), body, RestCalls.DEFAULT_TIMEOUT);
    assertThat(r.statusCode()).as("store %s: %s", address, r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  static HttpResponse<String> read(int port, String token, String address) throws Exception {
    return RestCalls.send(port, token, "GET", query(address), null, RestCalls.DEFAULT_TIMEOUT);
  }

  static void assertReads(int port, String token, String address, String text) throws Exception {
    HttpResponse<String> r = read(port, token, address);
    assertThat(r.statusCode()).as("read %s: %s", address, r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("text").asString()).isEqualTo(text);
  }

  static JsonNode stats(int port, String token) throws Exception {
    HttpResponse<String> r =
        RestCalls.send(port, token, "GET", "/api/v1/dht/stats", null, RestCalls.DEFAULT_TIMEOUT);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void twoDefaultNodesReadWhatTheOtherStoredTheMomentTheyKnowEachOther() throws Exception {
    Path d1 = root.resolve("node-1");
    Path d2 = root.resolve("node-2");
    ConfigurableApplicationContext n1 = start(defaults(d1));
    int p1 = RestCalls.port(n1);
    String t1 = token(d1);
    JsonNode alone = stats(p1, t1);
    assertThat(alone.path("backend").asString()).isEqualTo("hybrid");
    assertThat(alone.path("peerId").asString()).startsWith("12D3KooW");
    assertThat(alone.path("bootstrapped").asBoolean()).isFalse();

    // stored while node 1 is alone: the network that node 2 joins holds it, on node 1 only
    String before = "ucxl://agent001/senior_architect/defaults/task1/stored-alone";
    JsonNode ack = store(p1, t1, before, "written before anyone joined");
    assertThat(ack.path("replication").path("reached").asInt()).isEqualTo(1);

    ConfigurableApplicationContext n2 =
        start(joining(d2, d1, alone.path("listenAddrs").get(0).asString()));
    int p2 = RestCalls.port(n2);
    String t2 = token(d2);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> stats(p2, t2).path("routingTableSize").asInt() > 0);

    // node 2's very first read, right after it joined: the network's answer, not a 404
    assertReads(p2, t2, before, "written before anyone joined");

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> stats(p1, t1).path("routingTableSize").asInt() > 0);
    assertThat(n1.getBean(HybridDht.class).activeName())
        .as("node 1 switched to the network when node 2 entered its table")
        .isEqualTo("network");
    assertThat(stats(p1, t1).path("bootstrapped").asBoolean()).isTrue();

    String fromTwo = "ucxl://agent001/senior_architect/defaults/task1/from-node-2";
    store(p2, t2, fromTwo, "node 2 wrote this");
    assertReads(p1, t1, fromTwo, "node 2 wrote this");

    String fromOne = "ucxl://agent001/senior_architect/defaults/task1/from-node-1";
    JsonNode replicated = store(p1, t1, fromOne, "node 1 wrote this");
    assertThat(replicated.path("replication").path("reached").asInt()).isEqualTo(2);
    assertReads(p2, t2, fromOne, "node 1 wrote this");

    // what node 1 stored while alone reaches node 2's own store (pushed or repaired)
    byte[] key = ack.path("dhtKey").asString().getBytes(StandardCharsets.UTF_8);
    NetworkDht network2 = n2.getBean(NetworkDht.class);
    await().atMost(Duration.ofSeconds(30)).until(() -> network2.records().get(key).isPresent());
  }

  @Test
  void sixNodesWhoseFirstHasDefaultsLoseNothingWhenTheFirstTwoGo() throws Exception {
    Path d1 = root.resolve("node-1");
    int http1 = NodeProcess.freePort();
    int p2p1 = NodeProcess.freePort();
    // node 1 in its own JVM, so it can be killed without a clean shutdown
    process =
        NodeProcess.start(
            http1,
            List.of("--chorus.data-dir=" + d1, "--chorus.dht.listen=/ip4/127.0.0.1/tcp/" + p2p1),
            root.resolve("node-1.log"),
            Duration.ofSeconds(120));
    String t1 = token(d1);
    String boot = stats(http1, t1).path("listenAddrs").get(0).asString();

    List<Path> dirs = new ArrayList<>();
    for (int n = 2; n <= 6; n++) {
      Path dir = root.resolve("node-" + n);
      dirs.add(dir);
      start(joining(dir, d1, boot));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> stats(http1, t1).path("routingTableSize").asInt() == 5);

    int items = 30;
    for (int i = 0; i < items; i++) {
      JsonNode ack =
          store(http1, t1, "ucxl://agent001/senior_architect/six/task1/item-" + i, "item " + i);
      assertThat(ack.path("replication").path("complete").asBoolean()).isTrue();
    }

    process.kill(); // node 1: SIGKILL
    nodes.get(0).close(); // node 2: stopped
    int p6 = RestCalls.port(nodes.get(4));
    String t6 = token(dirs.get(4));
    int lost = 0;
    for (int i = 0; i < items; i++) {
      HttpResponse<String> r = read(p6, t6, "ucxl://agent001/senior_architect/six/task1/item-" + i);
      if (r.statusCode() != 200
          || !JSON.readTree(r.body()).path("text").asString().equals("item " + i)) {
        lost++;
      }
    }
    System.out.printf(
        "six-node defaults cluster: %d items through node 1 (default settings), node 1 killed,"
            + " node 2 stopped, read through node 6: lost=%d%n",
        items, lost);
    assertThat(lost).isZero();
  }
}
