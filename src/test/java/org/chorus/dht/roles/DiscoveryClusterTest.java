package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.records.PeerRecord;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.system.TokenRegistry;
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
 * Three full nodes on the network backend over loopback sharing one set of role keys (node 1 is the
 * bootstrap peer of nodes 2 and 3), and an outsider (4) with its own generated key for {@code
 * senior_architect} only: node A (2) announces a role and a capability through its API, node C (3)
 * finds it through its own API with A's signed peer record, proven; a peer record for A signed by
 * another key is refused by the other nodes. C's claim of {@code senior_architect} is proven, the
 * outsider's claim of it is not (the honest nodes refuse to store it), and the outsider cannot
 * announce a role it holds no key for.
 */
@Tag("cluster")
class DiscoveryClusterTest {

  static final String TOKEN = "discovery-cluster-token";
  static final String ARCHITECT_TOKEN = "discovery-cluster-architect";
  static final String OUTSIDER_QA_TOKEN = "discovery-cluster-outsider-qa";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("chorus-discovery-test-");
    nodes.add(startNode(1, null));
    String boot = network(nodes.get(0)).stats().listenAddrs().get(0);
    nodes.add(startNode(2, boot));
    nodes.add(startNode(3, boot));
    nodes.add(startOutsider(boot));
  }

  @AfterAll
  static void stop() throws IOException {
    SpringNodes.stopAll(nodes, root);
  }

  static ConfigurableApplicationContext startNode(int n, String bootstrap) {
    List<String> args =
        SpringNodes.networkArgs(
            root,
            n,
            root.resolve("role-keys"),
            bootstrap,
            new SpringNodes.Caller("dev", "backend_developer", false, TOKEN));
    addToken(args, 1, "architect", "senior_architect", true, ARCHITECT_TOKEN);
    return SpringNodes.start(args);
  }

  /**
   * A node of the same network with its own role keys: a fresh identity for {@code
   * senior_architect} only, so its signing key is not the cluster's. Its admin caller uses {@link
   * #TOKEN}; a qa_engineer caller uses {@link #OUTSIDER_QA_TOKEN}.
   */
  static ConfigurableApplicationContext startOutsider(String bootstrap) throws IOException {
    Path keys = Files.createDirectories(root.resolve("outsider-keys"));
    Files.writeString(
        keys.resolve("senior_architect" + RoleKeys.KEY_SUFFIX),
        IdentityFile.format(X25519Identity.generate(), Instant.now()));
    List<String> args =
        SpringNodes.networkArgs(
            root,
            4,
            keys,
            bootstrap,
            new SpringNodes.Caller("mallory", "senior_architect", true, TOKEN));
    addToken(args, 1, "mallory-qa", "qa_engineer", false, OUTSIDER_QA_TOKEN);
    return SpringNodes.start(args);
  }

  static void addToken(
      List<String> args, int i, String principal, String role, boolean admin, String token) {
    String prefix = "--chorus.security.tokens[" + i + "].";
    args.add(prefix + "principal=" + principal);
    args.add(prefix + "role=" + role);
    args.add(prefix + "admin=" + admin);
    args.add(prefix + "sha256=" + TokenRegistry.sha256Hex(token));
  }

  static NetworkDht network(ConfigurableApplicationContext node) {
    return SpringNodes.network(node);
  }

  static HttpResponse<String> send(
      ConfigurableApplicationContext node, String method, String pathAndQuery, String body)
      throws IOException, InterruptedException {
    return RestCalls.send(node, TOKEN, method, pathAndQuery, body);
  }

  @Test
  void nodeCFindsNodeAByRoleAndForgedPeerRecordsAreRefused() throws Exception {
    ConfigurableApplicationContext a = nodes.get(1);
    ConfigurableApplicationContext c = nodes.get(2);
    PeerId peerA = network(a).host().peerId();
    List<String> addrsA =
        network(a).host().advertisedAddrs().stream().map(Multiaddr::toString).toList();
    assertThat(addrsA).isNotEmpty();

    HttpResponse<String> announced =
        send(
            a,
            "POST",
            "/api/v1/roles/announce",
            JSON.writeValueAsString(Map.of("capabilities", List.of("go"))));
    assertThat(announced.statusCode()).as(announced.body()).isEqualTo(200);
    assertThat(JSON.readTree(announced.body()).path("peerId").asString())
        .isEqualTo(peerA.toBase58());

    JsonNode found =
        await()
            .atMost(30, TimeUnit.SECONDS)
            .until(
                () ->
                    JSON.readTree(
                        send(c, "GET", "/api/v1/peers?role=backend_developer", null).body()),
                body -> body.path("count").asInt() >= 1);
    assertThat(found.path("count").asInt()).isEqualTo(1);
    JsonNode peer = found.path("peers").get(0);
    assertThat(peer.path("peerId").asString()).isEqualTo(peerA.toBase58());
    assertThat(peer.path("verified").asBoolean()).isTrue();
    assertThat(peer.path("verification").asString()).isEqualTo("proven");
    assertThat(peer.path("role").asString()).isEqualTo("backend_developer");
    assertThat(peer.path("capabilities").valueStream().map(JsonNode::asString))
        .containsExactly("go");
    assertThat(peer.path("addresses").valueStream().map(JsonNode::asString))
        .containsExactlyElementsOf(addrsA);

    JsonNode byCapability =
        JSON.readTree(send(c, "GET", "/api/v1/peers?capability=go", null).body());
    assertThat(byCapability.path("peers").get(0).path("peerId").asString())
        .isEqualTo(peerA.toBase58());

    // C turns bad: it sends A's key with a record signed by another key, straight to A and to B.
    byte[] key = PeerRecord.dhtKey(peerA);
    byte[] forged =
        PeerRecord.of(
                "evil/1.0",
                "senior_architect",
                List.of("go"),
                List.of(Multiaddr.parse("/ip4/6.6.6.6/tcp/4001")),
                Instant.now(),
                Long.MAX_VALUE)
            .sign(IdentityKey.generate(), m -> new byte[64]);
    byte[] genuine =
        network(a).getValue(new String(key, java.nio.charset.StandardCharsets.UTF_8)).orElseThrow();
    NetworkDht netC = network(c);
    KadMessenger messenger = new KadMessenger(netC.host(), netC.dht().protocol());
    for (ConfigurableApplicationContext target : List.of(nodes.get(0), a)) {
      PeerId id = network(target).host().peerId();
      netC.host().peerStore().addAddrs(id, network(target).host().advertisedAddrs());
      KadResult<KadRecord> refused =
          messenger.putValue(id, new KadRecord(key, forged)).get(20, TimeUnit.SECONDS);
      assertThat(refused.isOk()).as("forged record to %s", id).isFalse();
    }
    // The same channel carries A's genuine record: the refusal was the signature's doing.
    KadResult<KadRecord> accepted =
        messenger
            .putValue(network(nodes.get(0)).host().peerId(), new KadRecord(key, genuine))
            .get(20, TimeUnit.SECONDS);
    assertThat(accepted.isOk()).isTrue();

    JsonNode after =
        JSON.readTree(send(c, "GET", "/api/v1/peers?role=backend_developer", null).body());
    assertThat(after.path("peers").get(0).path("verified").asBoolean()).isTrue();
    assertThat(after.path("peers").get(0).path("agentVersion").asString())
        .startsWith("chorus-dht/");
    assertThat(
            PeerRecord.verify(
                    key,
                    network(nodes.get(0))
                        .getValue(new String(key, java.nio.charset.StandardCharsets.UTF_8))
                        .orElseThrow())
                .record()
                .role())
        .isEqualTo("backend_developer");
  }

  @Test
  void anOutsidersClaimOfARoleWithItsOwnKeyIsNotProvenAndNotStored() throws Exception {
    ConfigurableApplicationContext a = nodes.get(1);
    ConfigurableApplicationContext c = nodes.get(2);
    ConfigurableApplicationContext outsider = nodes.get(3);
    PeerId peerC = network(c).host().peerId();
    PeerId peerOutsider = network(outsider).host().peerId();

    HttpResponse<String> honest =
        RestCalls.send(
            c,
            ARCHITECT_TOKEN,
            "POST",
            "/api/v1/roles/announce",
            JSON.writeValueAsString(Map.of("role", "senior_architect")));
    assertThat(honest.statusCode()).as(honest.body()).isEqualTo(200);
    HttpResponse<String> claimed =
        send(
            outsider,
            "POST",
            "/api/v1/roles/announce",
            JSON.writeValueAsString(Map.of("capabilities", List.of("architecture"))));
    assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
    assertThat(JSON.readTree(claimed.body()).path("role").asString()).isEqualTo("senior_architect");

    JsonNode found =
        await()
            .atMost(30, TimeUnit.SECONDS)
            .until(
                () ->
                    JSON.readTree(
                        send(a, "GET", "/api/v1/peers?role=senior_architect", null).body()),
                body -> body.path("count").asInt() >= 2);
    Map<String, JsonNode> byPeer = new java.util.HashMap<>();
    found.path("peers").forEach(p -> byPeer.put(p.path("peerId").asString(), p));
    assertThat(byPeer.get(peerC.toBase58()).path("verified").asBoolean()).isTrue();
    assertThat(byPeer.get(peerC.toBase58()).path("verification").asString()).isEqualTo("proven");
    JsonNode fake = byPeer.get(peerOutsider.toBase58());
    assertThat(fake).as("the outsider is a provider of the role").isNotNull();
    assertThat(fake.path("verified").asBoolean()).isFalse();
    // the honest nodes refused its record, so A finds none it could accept
    assertThat(fake.path("verification").asString()).isEqualTo("no-record");

    // Sent straight to an honest node, the outsider's record is refused: its role claim is not
    // signed by the cluster's senior_architect key.
    byte[] key = PeerRecord.dhtKey(peerOutsider);
    byte[] own =
        network(outsider)
            .getValue(new String(key, java.nio.charset.StandardCharsets.UTF_8))
            .orElseThrow();
    NetworkDht netOutsider = network(outsider);
    KadMessenger messenger = new KadMessenger(netOutsider.host(), netOutsider.dht().protocol());
    PeerId boot = network(nodes.get(0)).host().peerId();
    netOutsider.host().peerStore().addAddrs(boot, network(nodes.get(0)).host().advertisedAddrs());
    assertThat(messenger.putValue(boot, new KadRecord(key, own)).get(20, TimeUnit.SECONDS).isOk())
        .isFalse();
    assertThat(network(nodes.get(0)).records().get(key)).isEmpty();

    // The outsider holds no qa_engineer identity: it cannot announce that role.
    HttpResponse<String> noKey =
        RestCalls.send(outsider, OUTSIDER_QA_TOKEN, "POST", "/api/v1/roles/announce", "{}");
    assertThat(noKey.statusCode()).as(noKey.body()).isEqualTo(409);
    JsonNode problem = JSON.readTree(noKey.body());
    assertThat(problem.path("type").asString()).endsWith("role-key-not-held");
    assertThat(problem.path("role").asString()).isEqualTo("qa_engineer");
    assertThat(problem.path("detail").asString()).contains("qa_engineer", "holds no identity");
  }
}
