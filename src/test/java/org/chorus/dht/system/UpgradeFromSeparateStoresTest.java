package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.chorus.dht.replication.ReplicationStateStore;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.LegacyStores;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A data dir written by the version before the one data store (six separate store files; see {@code
 * src/test/resources/upgrade/datadir-0.1.0/README.md}) opens with today's code on its defaults and
 * serves everything it held: current versions, the deletion, search, replication state, the audit
 * chain. The old files are renamed, not deleted, and a second start finds nothing left to move.
 */
class UpgradeFromSeparateStoresTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Path FIXTURE = Paths.get("src/test/resources/upgrade/datadir-0.1.0");

  @TempDir Path root;
  final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    SpringNodes.stopAll(nodes, null);
  }

  @Test
  void aDataDirOfSeparateStoreFilesOpensAndServesEverything() throws Exception {
    Path data = root.resolve("data");
    copy(FIXTURE, data);
    String token = Files.readString(data.resolve("initial-token")).trim();

    ConfigurableApplicationContext node = start(data);
    int port = RestCalls.port(node);
    assertServesTheFixture(port, token);
    assertThat(node.getBean(ReplicationStateStore.class).size())
        .as("the three stored addresses are still tracked for replication")
        .isEqualTo(3);
    AuditLog audit = node.getBean(AuditLog.class);
    assertThat(audit.anchor().tampered()).as("the audit chain continues unbroken").isFalse();
    for (LegacyStores.Legacy legacy : LegacyStores.FILES) {
      assertThat(data.resolve(legacy.fileName())).doesNotExist();
      assertThat(data.resolve(legacy.fileName() + LegacyStores.MOVED_SUFFIX)).isRegularFile();
    }
    assertThat(data.resolve(DataStore.FILE_NAME)).isRegularFile();

    // a write after the upgrade lands on the one store and survives a restart with the rest
    String later = "ucxl://agent004/senior_architect/project123/task454/decision";
    HttpResponse<String> stored =
        RestCalls.send(
            port,
            token,
            "PUT",
            query(later),
            "{\"text\":\"written after the upgrade\",\"contentType\":\"text/plain\"}",
            RestCalls.DEFAULT_TIMEOUT);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    SpringNodes.stopAll(nodes, null);
    nodes.clear();

    ConfigurableApplicationContext again = start(data);
    int port2 = RestCalls.port(again);
    assertServesTheFixture(port2, token);
    assertThat(text(port2, token, later)).isEqualTo("written after the upgrade");
    assertThat(again.getBean(ReplicationStateStore.class).size()).isEqualTo(4);
    assertThat(again.getBean(AuditLog.class).anchor().tampered()).isFalse();
  }

  private void assertServesTheFixture(int port, String token) throws Exception {
    assertThat(text(port, token, "ucxl://agent001/senior_architect/project123/task451/decision"))
        .isEqualTo("decision 1, second version");
    assertThat(text(port, token, "ucxl://agent002/senior_architect/project123/task452/decision"))
        .isEqualTo("decision 2: use kademlia");
    HttpResponse<String> deleted =
        read(port, token, "ucxl://agent003/senior_architect/project123/task453/decision");
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(404);
    assertThat(JSON.readTree(deleted.body()).path("type").asString()).endsWith("content-deleted");

    HttpResponse<String> search =
        RestCalls.send(
            port,
            token,
            "GET",
            "/api/v1/content/search?project=project123&role=senior_architect",
            null,
            RestCalls.DEFAULT_TIMEOUT);
    assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    List<String> found =
        JSON.readTree(search.body())
            .path("items")
            .valueStream()
            .map(n -> n.path("address").asString())
            .toList();
    assertThat(found)
        .contains(
            "ucxl://agent001/senior_architect/project123/task451/decision",
            "ucxl://agent002/senior_architect/project123/task452/decision")
        .doesNotContain("ucxl://agent003/senior_architect/project123/task453/decision");
  }

  private ConfigurableApplicationContext start(Path data) {
    ConfigurableApplicationContext node = SpringNodes.start(DefaultsClusterTest.defaults(data));
    nodes.add(node);
    return node;
  }

  private static String text(int port, String token, String address) throws Exception {
    HttpResponse<String> r = read(port, token, address);
    assertThat(r.statusCode()).as("read %s: %s", address, r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    return body.path("text").asString();
  }

  private static HttpResponse<String> read(int port, String token, String address)
      throws Exception {
    return RestCalls.send(port, token, "GET", query(address), null, RestCalls.DEFAULT_TIMEOUT);
  }

  private static String query(String address) {
    return "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.getFileName().toString().equals("README.md")) {
          Files.copy(f, target);
        }
      }
    }
  }
}
