package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Write authority and versions over HTTP on one node: the caller's role must be the address's role
 * segment (admin authority excepted), read-only roles change nothing, {@code ETag} / {@code
 * If-Match} / {@code If-None-Match}, and delete with its tombstone.
 */
class WriteAuthorityApiTest extends ApiTestSupport {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<byte[]> store(
      String address, String role, String text, String header, String value) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/api/v1/content?address=" + enc(address)))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKENS.get(role))
            .header("Content-Type", "application/json")
            .PUT(
                HttpRequest.BodyPublishers.ofByteArray(
                    JSON.writeValueAsBytes(Map.of("text", text, "contentType", "text/plain"))));
    if (header != null) {
      b.header(header, value);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> delete(String address, String role, String ifMatch)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/api/v1/content?address=" + enc(address)))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKENS.get(role))
            .DELETE();
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aRoleWritesOnlyItsOwnAddresses() throws Exception {
    String decision = newAddress("senior_architect", "decision");
    JsonNode denied = problem(store(decision, "backend_developer", "overrule", null, null), 403);
    assertThat(denied.path("type").asString()).endsWith("write-denied");
    assertThat(denied.path("detail").asString()).contains("backend_developer", "senior_architect");
    assertThat(denied.path("addressRole").asString()).isEqualTo("senior_architect");
    problem(get("/api/v1/content?address=" + enc(decision), "senior_architect"), 404);

    assertThat(store(decision, "senior_architect", "mine", null, null).statusCode()).isEqualTo(201);
  }

  @Test
  void readOnlyRolesStoreDeleteAnnounceProvideAndReprovideNothing() throws Exception {
    String own = newAddress("read_only_observer", "note");
    problem(store(own, "read_only_observer", "x", null, null), 403);
    String address = newAddress("qa_engineer", "report");
    storeText(address, "qa_engineer", "report");
    problem(delete(address, "read_only_observer", null), 403);
    problem(
        send(
            "POST",
            "/api/v1/content/announce?address=" + enc(address),
            "read_only_observer",
            null,
            null),
        403);
    problem(
        send("POST", "/api/v1/dht/providers/" + enc("/x/key"), "read_only_observer", null, null),
        403);
    problem(
        send(
            "POST",
            "/api/v1/replication/reprovide?address=" + enc(address),
            "read_only_observer",
            null,
            null),
        403);
    JsonNode announce =
        problem(
            send(
                "POST",
                "/api/v1/roles/announce",
                "read_only_observer",
                "{}".getBytes(),
                "application/json"),
            403);
    assertThat(announce.path("type").asString()).endsWith("read-only");
  }

  @Test
  void etagsAndPreconditionsGiveOptimisticConcurrency() throws Exception {
    String address = newAddress("devops_engineer", "runbook.md");
    HttpResponse<byte[]> created = store(address, "devops_engineer", "v1", "If-None-Match", "*");
    assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(201);
    assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");

    JsonNode exists =
        problem(store(address, "devops_engineer", "again", "If-None-Match", "*"), 412);
    assertThat(exists.path("currentVersion").asLong()).isEqualTo(1);
    assertThat(exists.path("field").asString()).isEqualTo("If-None-Match");

    HttpResponse<byte[]> read = get("/api/v1/content?address=" + enc(address), "devops_engineer");
    String etag = read.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo("\"1\"");
    HttpResponse<byte[]> second = store(address, "devops_engineer", "v2", "If-Match", etag);
    assertThat(second.statusCode()).as(new String(second.body())).isEqualTo(201);
    assertThat(json(second).path("version").asLong()).isEqualTo(2);

    JsonNode stale = problem(store(address, "devops_engineer", "v2b", "If-Match", etag), 412);
    assertThat(stale.path("currentVersion").asLong()).isEqualTo(2);
    assertThat(stale.path("type").asString()).endsWith("precondition-failed");
    assertThat(
            json(get("/api/v1/content?address=" + enc(address), "devops_engineer"))
                .path("text")
                .asString())
        .isEqualTo("v2");

    // without a precondition: last writer wins at the next version
    assertThat(json(store(address, "devops_engineer", "v3", null, null)).path("version").asLong())
        .isEqualTo(3);
    problem(store(address, "devops_engineer", "x", "If-Match", "three"), 400);
    problem(store(address, "devops_engineer", "x", "If-None-Match", "\"3\""), 400);
    assertThat(
            get("/api/v1/content/metadata?address=" + enc(address), "devops_engineer")
                .headers()
                .firstValue("ETag"))
        .hasValue("\"3\"");
  }

  @Test
  void aDeleteIsASignedTombstoneThatReadsAsDeletedAndLeavesSearch() throws Exception {
    String address = newAddress("frontend_developer", "page.html");
    storeText(address, "frontend_developer", "<p>hi</p>");
    String project = address.split("/")[4];
    assertThat(search(project)).contains(address);

    JsonNode stale = problem(delete(address, "frontend_developer", "\"7\""), 412);
    assertThat(stale.path("currentVersion").asLong()).isEqualTo(1);
    HttpResponse<byte[]> deleted = delete(address, "frontend_developer", "\"1\"");
    assertThat(deleted.statusCode()).as(new String(deleted.body())).isEqualTo(200);
    assertThat(json(deleted).path("version").asLong()).isEqualTo(2);

    JsonNode gone =
        problem(get("/api/v1/content?address=" + enc(address), "frontend_developer"), 404);
    assertThat(gone.path("type").asString()).isEqualTo("urn:chorus:problem:content-deleted");
    assertThat(gone.path("version").asLong()).isEqualTo(2);
    problem(get("/api/v1/content/metadata?address=" + enc(address), "frontend_developer"), 404);
    assertThat(search(project)).doesNotContain(address);
    JsonNode twice = problem(delete(address, "frontend_developer", null), 404);
    assertThat(twice.path("type").asString()).endsWith("content-deleted");

    // the tombstone is tracked like content, and a later store brings the address back
    JsonNode status =
        json(get("/api/v1/replication/status?address=" + enc(address), "frontend_developer"));
    assertThat(status.path("tracked").asBoolean()).isTrue();
    assertThat(
            json(store(address, "frontend_developer", "back", null, null)).path("version").asLong())
        .isEqualTo(3);
    problem(delete(newAddress("frontend_developer", "never"), "frontend_developer", null), 404);
  }

  private java.util.List<String> search(String project) {
    JsonNode list = json(get("/api/v1/content/search?project=" + project, "senior_architect"));
    java.util.List<String> out = new java.util.ArrayList<>();
    list.path("items").forEach(i -> out.add(i.path("address").asString()));
    return out;
  }
}
