package org.chorus.dht.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.host.Refusal;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/admin/peers} on the shared default node: admin only and audited, fields named in
 * the problems, and a denial that closes the peer's open connection, refuses it from then on, is
 * saved in the data directory and can be lifted.
 */
class PeerAdminApiTest extends ApiTestSupport {

  @Autowired NetworkDht network;

  HttpResponse<byte[]> deny(String role, Object body) {
    return send(
        "POST",
        "/api/v1/admin/peers/deny",
        role,
        body == null ? null : JSON.writeValueAsBytes(body),
        "application/json");
  }

  HttpResponse<byte[]> lift(String role, String peer) {
    return send("DELETE", "/api/v1/admin/peers/deny/" + peer, role, null, null);
  }

  static List<JsonNode> auditLines(String operation) throws IOException {
    return Files.readAllLines(DATA_DIR.resolve("audit.log"), StandardCharsets.UTF_8).stream()
        .map(JSON::readTree)
        .filter(l -> operation.equals(l.path("operation").asString()))
        .toList();
  }

  static String newPeer() {
    return IdentityKey.generate().peerId().toString();
  }

  @Test
  void onlyAnAdminDeniesListsOrLiftsAndARefusedAttemptIsAudited() throws Exception {
    String peer = newPeer();
    assertThat(deny(null, Map.of("peerId", peer)).statusCode()).isEqualTo(401);
    JsonNode p = problem(deny("backend_developer", Map.of("peerId", peer)), 403);
    assertThat(p.path("detail").asString()).contains("admin");
    problem(get("/api/v1/admin/peers/denied", "backend_developer"), 403);
    problem(lift("backend_developer", peer), 403);
    assertThat(auditLines("peer-deny"))
        .anySatisfy(
            l -> {
              assertThat(l.path("principal").asString()).isEqualTo("user-backend_developer");
              assertThat(l.path("address").asString()).isEqualTo(peer);
              assertThat(l.path("outcome").asString()).isEqualTo("forbidden");
            });
    assertThat(auditLines("peer-lift"))
        .anySatisfy(l -> assertThat(l.path("outcome").asString()).isEqualTo("forbidden"));
  }

  @Test
  void badRequestsNameTheField() {
    assertThat(problem(deny("senior_architect", null), 400).path("field").asString())
        .isEqualTo("peerId");
    assertThat(
            problem(deny("senior_architect", Map.of("peerId", "nope")), 400)
                .path("field")
                .asString())
        .isEqualTo("peerId");
    assertThat(
            problem(
                    deny("senior_architect", Map.of("peerId", network.host().peerId().toString())),
                    400)
                .path("detail")
                .asString())
        .contains("own");
    JsonNode tooLong =
        problem(
            deny(
                "senior_architect",
                Map.of("peerId", newPeer(), "reason", "x".repeat(DeniedPeers.MAX_REASON + 1))),
            400);
    assertThat(tooLong.path("field").asString()).isEqualTo("reason");
    assertThat(problem(lift("senior_architect", "nope"), 400).path("field").asString())
        .isEqualTo("peerId");
    JsonNode notDenied = problem(lift("senior_architect", newPeer()), 404);
    assertThat(notDenied.path("type").asString()).endsWith("peer-not-denied");
  }

  @Test
  void aDenialClosesTheConnectionRefusesThePeerIsSavedAndCanBeLifted() throws Exception {
    Multiaddr node = network.host().listenAddrs().get(0).withPeerId(network.host().peerId());
    try (Host probe =
        Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate())) {
      PeerId id = probe.peerId();
      Connection c = probe.dial(node).get(10, TimeUnit.SECONDS);
      probe.identified(c).get(10, TimeUnit.SECONDS);
      long deniedBefore = network.host().refused(Refusal.DENIED);

      HttpResponse<byte[]> denied =
          deny("senior_architect", Map.of("peerId", id.toString(), "reason", "flooding us"));
      assertThat(denied.statusCode()).as(new String(denied.body())).isEqualTo(200);
      JsonNode result = json(denied);
      assertThat(result.path("alreadyDenied").asBoolean()).isFalse();
      assertThat(result.path("closedConnections").asInt()).isEqualTo(1);
      assertThat(result.path("peer").path("deniedBy").asString())
          .isEqualTo("user-senior_architect");
      c.closeFuture().get(10, TimeUnit.SECONDS);
      assertThat(auditLines("peer-deny"))
          .anySatisfy(
              l -> {
                assertThat(l.path("principal").asString()).isEqualTo("user-senior_architect");
                assertThat(l.path("address").asString()).isEqualTo(id.toString());
                assertThat(l.path("outcome").asString()).isEqualTo("ok");
              });

      JsonNode list = json(get("/api/v1/admin/peers/denied", "senior_architect"));
      assertThat(list.path("denied"))
          .anySatisfy(
              e -> {
                assertThat(e.path("peerId").asString()).isEqualTo(id.toString());
                assertThat(e.path("reason").asString()).isEqualTo("flooding us");
                assertThat(e.path("source").asString()).isEqualTo("api");
              });
      assertThat(Files.readString(DATA_DIR.resolve(DeniedPeers.FILE_NAME))).contains(id.toString());
      assertThat(
              json(deny("senior_architect", Map.of("peerId", id.toString())))
                  .path("alreadyDenied")
                  .asBoolean())
          .isTrue();

      assertThatThrownBy(() -> probe.dial(node).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("failed");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> network.host().refused(Refusal.DENIED) >= deniedBefore + 2);

      assertThat(lift("senior_architect", id.toString()).statusCode()).isEqualTo(204);
      assertThat(auditLines("peer-lift"))
          .anySatisfy(l -> assertThat(l.path("address").asString()).isEqualTo(id.toString()));
      assertThat(Files.readString(DATA_DIR.resolve(DeniedPeers.FILE_NAME)))
          .doesNotContain(id.toString());
      Connection again = probe.dial(node).get(10, TimeUnit.SECONDS);
      assertThat(again.isOpen()).isTrue();
      problem(lift("senior_architect", id.toString()), 404);
    }
  }
}
