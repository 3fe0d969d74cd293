package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
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
 * Twenty full nodes (Spring Boot, network backend, real TCP on loopback) in one JVM: node 0 is the
 * bootstrap peer of the others; all share one role-keys directory and one token. The last {@link
 * #CLIENTS} nodes run the DHT in client mode, so no PUT_VALUE ever reaches them and they hold no
 * copy: a read through one of them must go to the network.
 *
 * <p>Content stored through node A's API is read through client node T; then five nodes are shut
 * down: A and the holders closest to the key (which a lookup asks first), as many as leaves a
 * majority of the holders alive, then non-holders if needed (today k = 20, so every server holds
 * the record and all five are holders). The content is read again through the other client node,
 * which never read it before. Holders are found by asking every server for the record with one
 * GET_VALUE (no lookup, no fallback). Prints what it counted. Takes ~35 s on 2 quiet cores (the 20
 * Spring contexts start in ~30 s, four at a time), ~75 s under a load of 10-18.
 */
@Tag("cluster")
class TwentyNodeClusterTest {

  static final int NODES = 20;
  static final int CLIENTS = 2;
  static final int KILLED = 5;
  static final int WRITER = 5;
  static final int READER = NODES - 2;
  static final int LATE_READER = NODES - 1;

  /** Start threads: 2 cores here, more only adds contention. */
  static final int START_THREADS = 4;

  static final String TOKEN = "twenty-node-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path root;

  static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
  static Host probe;
  static KadMessenger probeMessenger;
  static long startMillis;

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    Path roleKeys = root.resolve("role-keys");
    // node 0 first: it generates the shared role keys and is everyone's bootstrap peer
    nodes.add(startNode(0, roleKeys, null));
    String boot = network(nodes.get(0)).stats().listenAddrs().get(0);
    ExecutorService pool = Executors.newFixedThreadPool(START_THREADS);
    try {
      List<Future<ConfigurableApplicationContext>> started = new ArrayList<>();
      for (int i = 1; i < NODES; i++) {
        int n = i;
        started.add(pool.submit(() -> startNode(n, roleKeys, boot)));
      }
      for (Future<ConfigurableApplicationContext> f : started) {
        nodes.add(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    // start need not wait for the bootstrap: wait here for every routing table to fill, and for
    // node 0 to have admitted every other server
    for (ConfigurableApplicationContext node : nodes.subList(1, NODES)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> stats(node).path("routingTableSize").asInt() > 0);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> stats(nodes.get(0)).path("routingTableSize").asInt() == NODES - CLIENTS - 1);
    startMillis = (System.nanoTime() - t0) / 1_000_000;
    probe = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    probeMessenger = new KadMessenger(probe, network(nodes.get(0)).dht().protocol());
  }

  @AfterAll
  static void stop() {
    if (probe != null) {
      probe.close();
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  static ConfigurableApplicationContext startNode(int n, Path roleKeys, String bootstrap) {
    List<String> args =
        SpringNodes.networkArgs(
            root,
            n,
            roleKeys,
            bootstrap,
            new SpringNodes.Caller("cluster-user", "senior_architect", true, TOKEN));
    args.add("--chorus.dht.mode=" + (n >= NODES - CLIENTS ? "client" : "server"));
    args.add("--logging.level.root=WARN");
    args.add("--spring.main.banner-mode=off");
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

  static JsonNode getJson(ConfigurableApplicationContext node, String path) throws Exception {
    HttpResponse<String> r = send(node, "GET", path, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode stats(ConfigurableApplicationContext node) throws Exception {
    return getJson(node, "/api/v1/dht/stats");
  }

  static PeerId peerId(int n) {
    return network(nodes.get(n)).host().peerId();
  }

  /** Whether node {@code n} holds {@code key}: one GET_VALUE straight to it, no lookup. */
  static boolean holds(int n, byte[] key) throws Exception {
    Multiaddr addr = network(nodes.get(n)).host().listenAddrs().get(0).withPeerId(peerId(n));
    probe.dial(addr).get(10, TimeUnit.SECONDS);
    KadResult<KadMessenger.ValueReply> r =
        probeMessenger.getValue(peerId(n), key).get(20, TimeUnit.SECONDS);
    assertThat(r).as("node %d answers GET_VALUE", n).isInstanceOf(KadResult.Ok.class);
    return r.answer().orElseThrow().record().isPresent();
  }

  @Test
  void storeOnOneNodeReadOnAnother_thenAgainWithFiveHoldersDown() throws Exception {
    String address = "ucxl://agent-7/senior_architect/proj-twenty/task-1/plan.md";
    String query = "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    String text = "twenty nodes, one plan";
    byte[] key = UcxlAddress.parse(address).dhtKey().getBytes(StandardCharsets.UTF_8);
    String body = JSON.writeValueAsString(Map.of("text", text, "contentType", "text/plain"));

    long t0 = System.nanoTime();
    HttpResponse<String> stored = send(nodes.get(WRITER), "PUT", query, body);
    long putMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);

    // the reader holds no copy and has cached nothing: its read goes to the network
    assertThat(stats(nodes.get(READER)).path("totalKeys").asLong()).isZero();
    assertThat(getJson(nodes.get(READER), "/api/v1/storage/metrics").path("cacheEntries").asLong())
        .isZero();
    t0 = System.nanoTime();
    HttpResponse<String> got = send(nodes.get(READER), "GET", query, null);
    long getMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    assertThat(JSON.readTree(got.body()).path("text").asString()).isEqualTo(text);

    List<Integer> holders = new ArrayList<>();
    for (int i = 0; i < NODES - CLIENTS; i++) {
      if (holds(i, key)) {
        holders.add(i);
      }
    }
    // today k = 20 > the 17 other servers, so every server holds it; at least the replication
    // factor (3) must
    assertThat(holders).contains(WRITER).hasSizeGreaterThanOrEqualTo(3);

    // shut down the writer and the other holders closest to the key (those a lookup asks first),
    // as many as leaves a majority of the holders alive, then non-holders up to five (never a
    // reader)
    KadKey target = KadKey.ofRecordKey(key);
    int holderKills = Math.min(KILLED, (holders.size() - 1) / 2);
    List<Integer> killed = new ArrayList<>();
    killed.add(WRITER);
    holders.stream()
        .filter(i -> i != WRITER)
        .sorted(Comparator.comparing(i -> KadKey.of(peerId(i)).distance(target)))
        .limit(holderKills - 1)
        .forEach(killed::add);
    for (int i = 0; i < NODES - CLIENTS && killed.size() < KILLED; i++) {
      if (!holders.contains(i)) {
        killed.add(i);
      }
    }
    assertThat(killed).hasSize(KILLED).doesNotContain(READER, LATE_READER);
    for (int i : killed) {
      nodes.get(i).close();
    }
    List<Integer> surviving = holders.stream().filter(i -> !killed.contains(i)).toList();
    assertThat(surviving.size()).isGreaterThan(holders.size() / 2);
    assertThat(killed.stream().filter(holders::contains).count()).isGreaterThan(1);

    assertThat(stats(nodes.get(LATE_READER)).path("totalKeys").asLong()).isZero();
    assertThat(
            getJson(nodes.get(LATE_READER), "/api/v1/storage/metrics")
                .path("cacheEntries")
                .asLong())
        .isZero();
    t0 = System.nanoTime();
    HttpResponse<String> after = send(nodes.get(LATE_READER), "GET", query, null);
    long afterMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    assertThat(JSON.readTree(after.body()).path("text").asString()).isEqualTo(text);

    System.out.printf(
        "TwentyNodeClusterTest: nodes=%d (servers=%d, clients=%d) start=%d ms; stored on node %d"
            + " (%d ms); read on node %d (%d ms); holders=%d %s; killed=%d %s;"
            + " surviving holders=%d; read after the kill on node %d (%d ms): retrieved=%s%n",
        NODES,
        NODES - CLIENTS,
        CLIENTS,
        startMillis,
        WRITER,
        putMillis,
        READER,
        getMillis,
        holders.size(),
        holders,
        killed.size(),
        killed,
        surviving.size(),
        LATE_READER,
        afterMillis,
        text.equals(JSON.readTree(after.body()).path("text").asString()));
  }
}
