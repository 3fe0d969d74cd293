package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Write authority across real nodes on loopback (default backend): A and C share the role keys; B
 * is an outsider with role keys of its own that simply bootstrapped from A. Nothing B writes for a
 * role it has no real key of reaches A's or C's stores, through its REST API, a raw put or a
 * hostile kad PUT; replayed older envelopes are refused; concurrent writers with {@code If-Match}
 * get exactly one 201, without it distinct versions and one final value; a delete through A reads
 * as deleted through C.
 */
@Tag("cluster")
class WriteAuthorityClusterTest {

  static final String TOKEN = "authority-cluster-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path root;
  static ConfigurableApplicationContext a;
  static ConfigurableApplicationContext b;
  static ConfigurableApplicationContext c;
  static Host probe;
  static KadMessenger messenger;

  static List<String> args(String name, Path roleKeys, String bootstrap) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + root.resolve(name));
    args.add("--chorus.node-id=" + name);
    args.add("--chorus.role-keys-dir=" + roleKeys);
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    if (bootstrap != null) {
      args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    }
    args.add("--chorus.security.tokens[0].principal=ops");
    args.add("--chorus.security.tokens[0].role=senior_architect");
    args.add("--chorus.security.tokens[0].admin=true");
    args.add("--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN));
    args.add("--logging.level.root=WARN");
    return args;
  }

  @BeforeAll
  static void start() throws Exception {
    a = SpringNodes.start(args("a", root.resolve("keys"), null));
    String boot = network(a).stats().listenAddrs().get(0);
    b = SpringNodes.start(args("b", root.resolve("outsider-keys"), boot));
    c = SpringNodes.start(args("c", root.resolve("keys"), boot));
    for (ConfigurableApplicationContext n : List.of(a, b, c)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> network(n).dht().routingTable().size() == 2);
    }
    probe = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    messenger = new KadMessenger(probe, network(a).dht().protocol());
  }

  @AfterAll
  static void stop() throws Exception {
    if (probe != null) {
      probe.close();
    }
    SpringNodes.stopAll(new ArrayList<>(java.util.Arrays.asList(a, b, c)), null);
  }

  static NetworkDht network(ConfigurableApplicationContext node) {
    return node.getBean(NetworkDht.class);
  }

  /** A store that answered 201 or 202 (stored; 202: fewer copies than required confirmed). */
  static HttpResponse<String> stored(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isIn(201, 202);
    return r;
  }

  static String q(String address) {
    return "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> put(
      ConfigurableApplicationContext node, String address, String text, Map<String, String> h)
      throws Exception {
    return RestCalls.send(
        RestCalls.port(node),
        TOKEN,
        "PUT",
        q(address),
        JSON.writeValueAsString(Map.of("text", text, "contentType", "text/plain")),
        RestCalls.DEFAULT_TIMEOUT,
        h);
  }

  static HttpResponse<String> get(ConfigurableApplicationContext node, String path)
      throws Exception {
    return RestCalls.send(node, TOKEN, "GET", path, null);
  }

  static String text(ConfigurableApplicationContext node, String address) throws Exception {
    HttpResponse<String> r = get(node, q(address));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("text").asString();
  }

  static byte[] raw(ConfigurableApplicationContext node, String address) throws Exception {
    String key = URLEncoder.encode(UcxlAddress.parse(address).dhtKey(), StandardCharsets.UTF_8);
    HttpResponse<byte[]> r = RestCalls.getBytes(node, TOKEN, "/api/v1/dht/values/" + key);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static double refused(ConfigurableApplicationContext node, String reason) {
    MeterRegistry registry = node.getBean(MeterRegistry.class);
    return registry.find("chorus.dht.records.refused").tag("reason", reason).counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  /** A hostile peer's kad PUT_VALUE straight to {@code node}; whether the node stored it. */
  static boolean hostilePut(ConfigurableApplicationContext node, String address, byte[] value)
      throws Exception {
    NetworkDht n = network(node);
    Multiaddr addr = n.host().listenAddrs().get(0).withPeerId(n.host().peerId());
    probe.dial(addr).get(10, TimeUnit.SECONDS);
    KadResult<KadMessenger.PutReply> r =
        messenger
            .put(
                n.host().peerId(),
                new KadRecord(
                    UcxlAddress.parse(address).dhtKey().getBytes(StandardCharsets.UTF_8), value))
            .get(20, TimeUnit.SECONDS);
    return r.answer().map(KadMessenger.PutReply::stored).orElse(false);
  }

  @Test
  void anOutsiderWithItsOwnKeysOverwritesNothing() throws Exception {
    String address = "ucxl://agent001/senior_architect/project1/task1/decision";
    stored(put(a, address, "use kademlia", Map.of()));
    double badSignaturesBefore = refused(a, "bad_signature") + refused(c, "bad_signature");

    // through B's own REST API: B signs with its own senior_architect key
    HttpResponse<String> outsider = put(b, address, "B was here", Map.of());
    assertThat(outsider.statusCode()).as(outsider.body()).isBetween(200, 299);
    assertThat(JSON.readTree(outsider.body()).path("replication").path("reached").asInt())
        .as("no honest node took B's record")
        .isEqualTo(1);
    // through a hostile kad PUT and a raw put on B at a far higher version
    byte[] forged = raw(b, address);
    assertThat(hostilePut(a, address, forged)).isFalse();
    assertThat(hostilePut(c, address, forged)).isFalse();

    assertThat(text(a, address)).isEqualTo("use kademlia");
    assertThat(text(c, address)).isEqualTo("use kademlia");
    assertThat(refused(a, "bad_signature") + refused(c, "bad_signature"))
        .as("refusals counted")
        .isGreaterThan(badSignaturesBefore);
  }

  @Test
  void aReplayedOlderEnvelopeIsRefusedByKadAndRawPut() throws Exception {
    String address = "ucxl://agent002/senior_architect/project1/task2/plan";
    stored(put(a, address, "plan v1", Map.of()));
    byte[] first = raw(a, address);
    stored(put(a, address, "plan v2", Map.of()));
    double rollbacks = refused(c, "rollback");

    assertThat(hostilePut(c, address, first)).isFalse();
    assertThat(refused(c, "rollback")).isGreaterThan(rollbacks);
    String key = URLEncoder.encode(UcxlAddress.parse(address).dhtKey(), StandardCharsets.UTF_8);
    HttpResponse<String> replay =
        RestCalls.send(
            RestCalls.port(c),
            TOKEN,
            "PUT",
            "/api/v1/dht/values/" + key,
            null,
            RestCalls.DEFAULT_TIMEOUT,
            Map.of());
    assertThat(replay.statusCode()).isNotEqualTo(201); // (no body: refused outright)
    java.net.http.HttpResponse<String> rawReplay =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + RestCalls.port(c) + "/api/v1/dht/values/" + key))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(first))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(rawReplay.statusCode()).as(rawReplay.body()).isEqualTo(409);
    assertThat(text(c, address)).isEqualTo("plan v2");
    assertThat(text(a, address)).isEqualTo("plan v2");
  }

  @Test
  void concurrentWritersWithIfMatchGetExactlyOneSuccess() throws Exception {
    for (int round = 0; round < 5; round++) {
      String address = "ucxl://agent003/senior_architect/project1/race/item-" + round;
      HttpResponse<String> created = stored(put(a, address, "base", Map.of()));
      String etag = created.headers().firstValue("ETag").orElseThrow();
      List<HttpResponse<String>> results = race(address, Map.of("If-Match", etag));
      // 201 or 202: stored (202 when B, which refuses honest records too, is counted reachable)
      List<Integer> statuses =
          results.stream()
              .map(r -> r.statusCode() / 100 == 2 ? 200 : r.statusCode())
              .sorted()
              .toList();
      assertThat(statuses).as("round %d: %s", round, bodies(results)).containsExactly(200, 412);
      HttpResponse<String> won =
          results.stream().filter(r -> r.statusCode() / 100 == 2).findFirst().get();
      String winner = JSON.readTree(won.body()).path("address").asString();
      assertThat(winner).isEqualTo(address);
      String expected = won == results.get(0) ? "from a" : "from c";
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(text(a, address)).isEqualTo(expected);
                assertThat(text(c, address)).isEqualTo(expected);
              });
    }
  }

  @Test
  void concurrentWritersWithoutAPreconditionBothSucceedAtDistinctVersionsAndConverge()
      throws Exception {
    for (int round = 0; round < 8; round++) {
      String address = "ucxl://agent004/senior_architect/project1/lww/item-" + round;
      stored(put(a, address, "base", Map.of()));
      List<HttpResponse<String>> results = race(address, Map.of());
      for (HttpResponse<String> r : results) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
      }
      long va = JSON.readTree(results.get(0).body()).path("version").asLong();
      long vc = JSON.readTree(results.get(1).body()).path("version").asLong();
      assertThat(va).as("distinct versions").isNotEqualTo(vc);
      String expected = va > vc ? "from a" : "from c";
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(text(a, address)).isEqualTo(expected);
                assertThat(text(c, address)).isEqualTo(expected);
              });
    }
  }

  /** Stores through A and C at the same moment; their responses, A's first. */
  static List<HttpResponse<String>> race(String address, Map<String, String> headers)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<HttpResponse<String>> fromA =
        CompletableFuture.supplyAsync(() -> racer(go, a, address, "from a", headers));
    CompletableFuture<HttpResponse<String>> fromC =
        CompletableFuture.supplyAsync(() -> racer(go, c, address, "from c", headers));
    go.countDown();
    return List.of(fromA.get(90, TimeUnit.SECONDS), fromC.get(90, TimeUnit.SECONDS));
  }

  static HttpResponse<String> racer(
      CountDownLatch go,
      ConfigurableApplicationContext node,
      String address,
      String text,
      Map<String, String> headers) {
    try {
      go.await();
      return put(node, address, text, headers);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String bodies(List<HttpResponse<String>> rs) {
    return rs.stream().map(r -> r.statusCode() + " " + r.body()).toList().toString();
  }

  @Test
  void aDeleteThroughOneNodeReadsAsDeletedThroughAnother() throws Exception {
    String address = "ucxl://agent005/senior_architect/project9/task1/obsolete";
    stored(put(a, address, "soon gone", Map.of()));
    assertThat(text(c, address)).isEqualTo("soon gone");
    HttpResponse<String> deleted = RestCalls.send(a, TOKEN, "DELETE", q(address), null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);

    HttpResponse<String> onC = get(c, q(address));
    assertThat(onC.statusCode()).as(onC.body()).isEqualTo(404);
    assertThat(JSON.readTree(onC.body()).path("type").asString())
        .isEqualTo("urn:chorus:problem:content-deleted");
    JsonNode search = JSON.readTree(get(a, "/api/v1/content/search?project=project9").body());
    assertThat(search.path("count").asInt()).isZero();
    assertThat(Base64.getEncoder().encodeToString(raw(c, address))).isNotEmpty();
  }
}
