package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The role and capability endpoints on one embedded node. */
class DiscoveryApiTest extends ApiTestSupport {

  HttpResponse<byte[]> post(String path, String role, Object body) {
    return send(
        "POST",
        path,
        role,
        body == null ? null : JSON.writeValueAsBytes(body),
        body == null ? null : "application/json");
  }

  static List<String> strings(JsonNode array) {
    return array.valueStream().map(JsonNode::asString).toList();
  }

  @Test
  void announceRoleThenFindThisNodeByRoleAndCapability() {
    JsonNode announced =
        json(
            post(
                "/api/v1/roles/announce",
                "backend_developer",
                Map.of("capabilities", List.of("go"))));
    String peerId = announced.path("peerId").asString();
    assertThat(peerId).startsWith("12D3KooW");
    assertThat(announced.path("role").asString()).isEqualTo("backend_developer");
    assertThat(strings(announced.path("capabilities"))).contains("go");
    assertThat(announced.path("sequence").asLong()).isPositive();
    assertThat(java.time.Instant.parse(announced.path("expiresAt").asString()))
        .isEqualTo(
            java.time.Instant.parse(announced.path("timestamp").asString())
                .plus(org.chorus.dht.kad.records.PeerRecord.DEFAULT_LIFETIME));

    JsonNode peers = json(get("/api/v1/peers?role=backend_developer", "read_only_observer"));
    assertThat(peers.path("count").asInt()).isEqualTo(1);
    JsonNode self = peers.path("peers").get(0);
    assertThat(self.path("peerId").asString()).isEqualTo(peerId);
    assertThat(self.path("verified").asBoolean()).isTrue();
    assertThat(self.path("verification").asString()).isEqualTo("proven");
    assertThat(self.path("role").asString()).isEqualTo("backend_developer");
    assertThat(strings(self.path("capabilities"))).contains("go");
    assertThat(self.path("agentVersion").asString()).startsWith("chorus-dht/");

    JsonNode caps =
        json(
            post(
                "/api/v1/capabilities/announce",
                "qa_engineer",
                Map.of("capabilities", List.of("rust"))));
    assertThat(strings(caps.path("capabilities"))).contains("go", "rust");
    assertThat(
            json(get("/api/v1/peers?capability=rust", "qa_engineer"))
                .path("peers")
                .get(0)
                .path("peerId")
                .asString())
        .isEqualTo(peerId);
    assertThat(
            json(get("/api/v1/peers?role=backend_developer&capability=rust", "qa_engineer"))
                .path("count")
                .asInt())
        .isEqualTo(1);
    assertThat(
            json(get("/api/v1/peers?role=backend_developer&capability=cobol", "qa_engineer"))
                .path("count")
                .asInt())
        .isZero();

    // An admin may announce a role other than its own.
    JsonNode admin =
        json(post("/api/v1/roles/announce", "senior_architect", Map.of("role", "devops_engineer")));
    assertThat(admin.path("role").asString()).isEqualTo("devops_engineer");
    assertThat(json(get("/api/v1/peers?role=devops_engineer", "qa_engineer")).path("count").asInt())
        .isEqualTo(1);
    assertThat(
            json(get("/api/v1/peers?role=backend_developer", "qa_engineer")).path("count").asInt())
        .isZero();
  }

  @Test
  void aNonAdminMayAnnounceOnlyItsOwnRole() {
    JsonNode problem =
        problem(
            post("/api/v1/roles/announce", "qa_engineer", Map.of("role", "senior_architect")), 403);
    assertThat(problem.path("field").asString()).isEqualTo("role");
    assertThat(problem.path("type").asString()).endsWith("role-not-permitted");
  }

  @Test
  void badAnnouncementsAreProblemsNamingTheField() {
    JsonNode unknown =
        problem(
            post("/api/v1/roles/announce", "senior_architect", Map.of("role", "astronaut")), 400);
    assertThat(unknown.path("field").asString()).isEqualTo("role");
    assertThat(
            problem(
                    post(
                        "/api/v1/roles/announce",
                        "backend_developer",
                        Map.of("capabilities", List.of("ok", "not ok"))),
                    400)
                .path("field")
                .asString())
        .isEqualTo("capabilities[1]");
    assertThat(
            problem(
                    post(
                        "/api/v1/capabilities/announce",
                        "backend_developer",
                        Map.of("capabilities", List.of())),
                    400)
                .path("field")
                .asString())
        .isEqualTo("capabilities");
    assertThat(
            problem(post("/api/v1/capabilities/announce", "backend_developer", null), 400)
                .path("field")
                .asString())
        .isEqualTo("capabilities");
    List<String> tooMany =
        java.util.stream.IntStream.rangeClosed(0, PeerDiscovery.MAX_CAPABILITIES)
            .mapToObj(i -> "t" + i)
            .toList();
    assertThat(
            problem(
                    post(
                        "/api/v1/capabilities/announce",
                        "backend_developer",
                        Map.of("capabilities", tooMany)),
                    400)
                .path("field")
                .asString())
        .isEqualTo("capabilities");
  }

  @Test
  void badSearchesAreProblemsNamingTheField() {
    assertThat(problem(get("/api/v1/peers", "qa_engineer"), 400).path("field").asString())
        .isEqualTo("role");
    assertThat(
            problem(get("/api/v1/peers?role=astronaut", "qa_engineer"), 400)
                .path("field")
                .asString())
        .isEqualTo("role");
    assertThat(
            problem(get("/api/v1/peers?role=qa_engineer&limit=0", "qa_engineer"), 400)
                .path("field")
                .asString())
        .isEqualTo("limit");
    assertThat(
            problem(get("/api/v1/peers?role=qa_engineer&limit=101", "qa_engineer"), 400)
                .path("field")
                .asString())
        .isEqualTo("limit");
    assertThat(
            problem(get("/api/v1/peers?capability=" + enc("a b"), "qa_engineer"), 400)
                .path("field")
                .asString())
        .isEqualTo("capability");
    assertThat(get("/api/v1/peers?role=qa_engineer", null).statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/roles/announce", null, Map.of()).statusCode()).isEqualTo(401);
  }
}
