package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.testing.ApiTestSupport;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/content} over real HTTP on one node. */
class ContentApiTest extends ApiTestSupport {

  @Test
  void storesAndRetrievesTextForEveryRoleAllowedToReadIt() {
    String address = newAddress("backend_developer", "docs/api.md");
    JsonNode metadata = storeText(address, "backend_developer", "hello chorus");

    assertThat(metadata.path("address").asString()).isEqualTo(address);
    assertThat(metadata.path("dhtKey").asString()).isEqualTo(UcxlAddress.parse(address).dhtKey());
    assertThat(metadata.path("creatorRole").asString()).isEqualTo("backend_developer");
    assertThat(metadata.path("creatorNode").asString())
        .as("the writing node's peer id")
        .isEqualTo(json(get("/api/v1/dht/stats", "qa_engineer")).path("peerId").asString());
    assertThat(metadata.path("size").asLong()).isEqualTo(12);
    assertThat(metadata.path("version").asLong()).isEqualTo(1);
    assertThat(metadata.path("sha256").asString()).hasSize(64);
    assertThat(strings(metadata.path("encryptedFor")))
        .startsWith("backend_developer")
        .contains("senior_architect", "project_manager", "qa_engineer", "devops_engineer")
        .doesNotContain("read_only_observer");

    for (String role : List.of("backend_developer", "qa_engineer", "senior_architect")) {
      HttpResponse<byte[]> response = get("/api/v1/content?address=" + enc(address), role);
      assertThat(response.statusCode()).as(role).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.path("text").asString()).isEqualTo("hello chorus");
      assertThat(Base64.getDecoder().decode(body.path("content").asString()))
          .isEqualTo("hello chorus".getBytes(StandardCharsets.UTF_8));
      assertThat(body.path("metadata").path("sha256").asString())
          .isEqualTo(metadata.path("sha256").asString());
    }
  }

  @Autowired DataStore dataStore;

  @Test
  void aStoreIsMadeDurableByOneGroupCommitForItsValueIndexReplicationStateAndAuditLine() {
    long before = dataStore.flushes();
    int stores = 5;
    for (int i = 0; i < stores; i++) {
      storeText(newAddress("backend_developer", "durable/" + i), "backend_developer", "v" + i);
    }
    // one flush per store for its value (in both local stores), index entry, replication state
    // and audit line, where each of these had a flush of its own (five per store); plus the
    // replication manager's first provide of each new key, on its own thread, which may or may not
    // share a flush with the next store
    assertThat(dataStore.flushes() - before).isBetween((long) stores, 2L * stores + 1);
  }

  @Test
  void storesBinaryContentAsBase64() {
    byte[] content = new byte[70_000];
    new Random(7).nextBytes(content);
    String address = newAddress("devops_engineer", "blobs/b.bin");
    HttpResponse<byte[]> stored =
        putJson(
            "/api/v1/content?address=" + enc(address),
            "devops_engineer",
            Map.of(
                "content",
                Base64.getEncoder().encodeToString(content),
                "contentType",
                "application/octet-stream"));
    assertThat(stored.statusCode()).isEqualTo(201);
    assertThat(stored.headers().firstValue("Location")).isPresent();

    JsonNode body = json(get("/api/v1/content?address=" + enc(address), "devops_engineer"));
    assertThat(Base64.getDecoder().decode(body.path("content").asString())).isEqualTo(content);
    assertThat(body.path("text").isNull() || body.path("text").isMissingNode()).isTrue();
  }

  @Test
  void aRoleOutsideEncryptedForGets403() {
    String address = newAddress("devops_engineer", "secrets/plan.txt");
    JsonNode metadata = storeText(address, "devops_engineer", "infra plan");
    assertThat(strings(metadata.path("encryptedFor"))).doesNotContain("qa_engineer");

    JsonNode problem = problem(get("/api/v1/content?address=" + enc(address), "qa_engineer"), 403);
    assertThat(problem.path("type").asString()).endsWith("decrypt-denied");
    assertThat(problem.path("detail").asString()).contains("qa_engineer");

    problem(get("/api/v1/content?address=" + enc(address), "read_only_observer"), 403);
  }

  @Test
  void aReadOnlyRoleCannotStore() {
    String address = newAddress("read_only_observer", "notes.txt");
    JsonNode problem =
        problem(
            putJson(
                "/api/v1/content?address=" + enc(address),
                "read_only_observer",
                Map.of("text", "x")),
            403);
    assertThat(problem.path("detail").asString()).contains("read_only");
    problem(get("/api/v1/content?address=" + enc(address), "senior_architect"), 404);
  }

  @Test
  void missingContentIs404() {
    String address = newAddress("qa_engineer", "nothing-here.txt");
    JsonNode problem = problem(get("/api/v1/content?address=" + enc(address), "qa_engineer"), 404);
    assertThat(problem.path("detail").asString()).contains(address);
    problem(get("/api/v1/content/metadata?address=" + enc(address), "qa_engineer"), 404);
  }

  @Test
  void aBadAddressIs400NamingTheFieldAndTheReason() {
    JsonNode problem =
        problem(
            get("/api/v1/content?address=" + enc("ucxl://agent/role/project//path"), "qa_engineer"),
            400);
    assertThat(problem.path("field").asString()).isEqualTo("address");
    assertThat(problem.path("part").asString()).isEqualTo("task");
    assertThat(problem.path("detail").asString())
        .contains("address")
        .contains("task")
        .contains("empty");

    JsonNode scheme =
        problem(
            putJson(
                "/api/v1/content?address=" + enc("http://x/y/z/w/p"),
                "qa_engineer",
                Map.of("text", "x")),
            400);
    assertThat(scheme.path("part").asString()).isEqualTo("scheme");
  }

  @Test
  void aMissingAddressParameterIsAProblem() {
    problem(get("/api/v1/content", "qa_engineer"), 400);
  }

  @Test
  void aMissingBodyFieldIs400() {
    JsonNode problem =
        problem(
            putJson(
                "/api/v1/content?address=" + enc(newAddress("qa_engineer", "a")),
                "qa_engineer",
                Map.of("contentType", "text/plain")),
            400);
    assertThat(problem.path("field").asString()).isEqualTo("content");

    JsonNode contentType =
        problem(
            putJson(
                "/api/v1/content?address=" + enc(newAddress("qa_engineer", "a")),
                "qa_engineer",
                Map.of("text", "x", "contentType", "x".repeat(256))),
            400);
    assertThat(contentType.path("field").asString()).isEqualTo("contentType");
    assertThat(contentType.path("detail").asString()).contains("255");
  }

  @Test
  void contentOverTheLimitIs413() {
    byte[] content = new byte[1024 * 1024 + 1];
    JsonNode problem =
        problem(
            putJson(
                "/api/v1/content?address=" + enc(newAddress("qa_engineer", "big.bin")),
                "qa_engineer",
                Map.of("content", Base64.getEncoder().encodeToString(content))),
            413);
    assertThat(problem.path("field").asString()).isEqualTo("content");
    assertThat(problem.path("limit").asLong()).isEqualTo(1024 * 1024);
  }

  @Test
  void aBodyOverTheRequestLimitIs413BeforeItIsRead() {
    // the default cap: base64 of 1 MiB plus 64 KiB of room for JSON; cap + 1 is refused
    int cap = 1024 * 1024 * 4 / 3 + 64 * 1024;
    byte[] body = new byte[cap + 1];
    JsonNode problem =
        problem(
            send(
                "PUT",
                "/api/v1/content?address=" + enc(newAddress("qa_engineer", "huge.bin")),
                "qa_engineer",
                body,
                "application/json"),
            413);
    assertThat(problem.path("field").asString()).isEqualTo("body");
    assertThat(problem.path("limit").asLong()).isEqualTo(cap);
  }

  @Test
  void theColonFormIsCanonicalisedAndOverwritesBumpTheVersion() {
    String slash = newAddress("qa_engineer", "report.md");
    UcxlAddress parsed = UcxlAddress.parse(slash);
    String colon =
        "ucxl://"
            + parsed.agent()
            + ":"
            + parsed.role()
            + "@"
            + parsed.project()
            + ":"
            + parsed.task()
            + "/"
            + parsed.path();
    assertThat(storeText(colon, "qa_engineer", "v1").path("version").asLong()).isEqualTo(1);
    JsonNode second = storeText(slash, "qa_engineer", "v2");
    assertThat(second.path("address").asString()).isEqualTo(slash);
    assertThat(second.path("version").asLong()).isEqualTo(2);
    assertThat(
            json(get("/api/v1/content?address=" + enc(colon), "qa_engineer"))
                .path("text")
                .asString())
        .isEqualTo("v2");
  }

  @Test
  void metadataNeedsNoDecryption() {
    String address = newAddress("devops_engineer", "m.txt");
    storeText(address, "devops_engineer", "meta");
    JsonNode metadata =
        json(get("/api/v1/content/metadata?address=" + enc(address), "read_only_observer"));
    assertThat(metadata.path("address").asString()).isEqualTo(address);
    assertThat(metadata.path("size").asLong()).isEqualTo(4);
  }

  @Test
  void searchFiltersByEveryFieldWithAStableOrderAndLimit() {
    Instant before = Instant.now().minusSeconds(1);
    String project = "search-" + System.nanoTime();
    List<String> addresses =
        List.of(
            "ucxl://ann/backend_developer/" + project + "/t1/a.md",
            "ucxl://ann/backend_developer/" + project + "/t2/b.md",
            "ucxl://bob/backend_developer/" + project + "/t1/c.json");
    storeText(addresses.get(0), "backend_developer", "a");
    storeText(addresses.get(1), "backend_developer", "b");
    putJson(
        "/api/v1/content?address=" + enc(addresses.get(2)),
        "backend_developer",
        Map.of("text", "{}", "contentType", "application/json"));

    assertThat(addressesOf(search("project=" + project)))
        .containsExactlyInAnyOrderElementsOf(addresses);
    assertThat(addressesOf(search("project=" + project + "&agent=ann")))
        .containsExactlyInAnyOrder(addresses.get(0), addresses.get(1));
    assertThat(addressesOf(search("project=" + project + "&task=t1")))
        .containsExactlyInAnyOrder(addresses.get(0), addresses.get(2));
    assertThat(addressesOf(search("project=" + project + "&contentType=application/json")))
        .containsExactly(addresses.get(2));
    assertThat(addressesOf(search("project=" + project + "&role=backend_developer"))).hasSize(3);
    assertThat(addressesOf(search("project=" + project + "&createdAfter=" + before))).hasSize(3);
    assertThat(addressesOf(search("project=" + project + "&createdBefore=" + before))).isEmpty();
    List<String> all = addressesOf(search("project=" + project));
    assertThat(addressesOf(search("project=" + project + "&limit=2"))).isEqualTo(all.subList(0, 2));
    assertThat(addressesOf(search("project=" + project))).isEqualTo(all);

    problem(get("/api/v1/content/search?limit=0", "qa_engineer"), 400);
    JsonNode unknown = problem(get("/api/v1/content/search?role=wizard", "qa_engineer"), 400);
    assertThat(unknown.path("field").asString()).isEqualTo("role");
  }

  @Test
  void byRoleListsWhatARoleCreated() {
    String address = newAddress("frontend_developer", "ui/button.tsx");
    storeText(address, "frontend_developer", "<Button/>");
    JsonNode list =
        json(get("/api/v1/content/by-role/frontend_developer?limit=1000", "qa_engineer"));
    assertThat(addressesOf(list)).contains(address);
    assertThat(list.path("count").asInt()).isEqualTo(list.path("items").size());

    JsonNode problem = problem(get("/api/v1/content/by-role/wizard", "qa_engineer"), 400);
    assertThat(problem.path("detail").asString()).contains("wizard");
    assertThat(problem.path("field").asString()).isEqualTo("role");
  }

  @Test
  void announceMakesThisNodeAProvider() {
    String address = newAddress("qa_engineer", "announced.txt");
    storeText(address, "qa_engineer", "x");
    HttpResponse<byte[]> announced =
        send("POST", "/api/v1/content/announce?address=" + enc(address), "qa_engineer", null, null);
    assertThat(announced.statusCode()).isEqualTo(200);
    assertThat(json(announced).path("key").asString())
        .isEqualTo(UcxlAddress.parse(address).dhtKey());

    JsonNode providers =
        json(get("/api/v1/content/providers?address=" + enc(address), "qa_engineer"));
    assertThat(providers.path("providers").size()).isEqualTo(1);
    assertThat(providers.path("providers").get(0).path("peerId").asString())
        .isEqualTo(json(get("/api/v1/dht/stats", "qa_engineer")).path("peerId").asString());
  }

  @Test
  void cacheHitsAndMissesAreCounted() {
    String address = newAddress("qa_engineer", "cached.txt");
    storeText(address, "qa_engineer", "cache me");
    JsonNode before = json(get("/api/v1/storage/metrics", "qa_engineer")).path("counters");
    get("/api/v1/content?address=" + enc(address), "qa_engineer");
    get("/api/v1/content?address=" + enc(address), "qa_engineer");
    JsonNode after = json(get("/api/v1/storage/metrics", "qa_engineer")).path("counters");
    assertThat(after.path("cacheMisses").asLong() - before.path("cacheMisses").asLong())
        .isGreaterThanOrEqualTo(1);
    assertThat(after.path("cacheHits").asLong() - before.path("cacheHits").asLong())
        .isGreaterThanOrEqualTo(1);
    assertThat(after.path("stores").asLong()).isPositive();
    assertThat(after.path("bytesStored").asLong()).isPositive();
  }

  private JsonNode search(String query) {
    HttpResponse<byte[]> response = get("/api/v1/content/search?" + query, "qa_engineer");
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
    return json(response);
  }

  private static List<String> addressesOf(JsonNode list) {
    return list.path("items").valueStream().map(n -> n.path("address").asString()).toList();
  }

  private static List<String> strings(JsonNode array) {
    return array.valueStream().map(JsonNode::asString).toList();
  }
}
