package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A data directory written by 0.1.0 (src/test/resources/fixtures/datadir-0.1.0, envelopes signed by
 * the node key only) opens: its items are re-signed with the role keys it holds and read back; a
 * copy missing one role's key does not start, and says which role and where to put its key.
 */
class UpgradeFromFixtureTest {

  static final Path FIXTURE = Path.of("src/test/resources/fixtures/datadir-0.1.0");
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Map<String, String> TEXTS =
      Map.of(
          "ucxl://agent001/senior_architect/project1/task1/decision", "use kademlia, k = 20",
          "ucxl://agent002/backend_developer/project1/task2/suggestion", "cache the role keys",
          "ucxl://agent003/devops_engineer/project1/task3/runbook.md", "rotate every 90 days");

  @TempDir Path dir;

  static void copy(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static List<String> args(Path data) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + data);
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    String[][] tokens = {
      {"arch", "senior_architect", "true", "arch-token"},
      {"dev", "backend_developer", "false", "backend-token"},
      {"ops", "devops_engineer", "false", "devops-token"}
    };
    for (int i = 0; i < tokens.length; i++) {
      String p = "--chorus.security.tokens[" + i + "].";
      args.add(p + "principal=" + tokens[i][0]);
      args.add(p + "role=" + tokens[i][1]);
      args.add(p + "admin=" + tokens[i][2]);
      args.add(p + "sha256=" + TokenRegistry.sha256Hex(tokens[i][3]));
    }
    return args;
  }

  static String q(String address) {
    return URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  @Test
  void aZeroOneDataDirOpensAndItsItemsAreReSignedWithTheRoleKeys() throws Exception {
    Path data = dir.resolve("data");
    copy(FIXTURE, data);
    ConfigurableApplicationContext node = SpringNodes.start(args(data));
    try {
      int i = 0;
      for (var e : List.copyOf(new java.util.TreeMap<>(TEXTS).entrySet())) {
        String token = e.getKey().contains("senior_architect") ? "arch-token" : null;
        token = e.getKey().contains("backend_developer") ? "backend-token" : token;
        token = e.getKey().contains("devops_engineer") ? "devops-token" : token;
        HttpResponse<String> r =
            RestCalls.send(node, token, "GET", "/api/v1/content?address=" + q(e.getKey()), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("text").asString()).isEqualTo(e.getValue());
        i++;
      }
      assertThat(i).isEqualTo(3);
      // the stored envelope is format 2 now, signed by the role, at its old version
      String decision = "ucxl://agent001/senior_architect/project1/task1/decision";
      HttpResponse<byte[]> raw =
          RestCalls.getBytes(
              node, "arch-token", "/api/v1/dht/values/" + q(UcxlAddress.parse(decision).dhtKey()));
      ContentEnvelope envelope = new EnvelopeCodec(8 << 20).decode(raw.body());
      assertThat(envelope.legacy()).isFalse();
      assertThat(envelope.metadata().version()).isEqualTo(2);
      // the next write continues the version sequence
      HttpResponse<String> next =
          RestCalls.send(
              node,
              "arch-token",
              "PUT",
              "/api/v1/content?address=" + q(decision),
              "{\"text\":\"k = 20, alpha = 10\"}");
      assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
      assertThat(JSON.readTree(next.body()).path("version").asLong()).isEqualTo(3);
      // the 0.1.0 audit log opened (unanchored) and the chain is intact
      HttpResponse<String> health =
          RestCalls.send(node, "arch-token", "GET", "/actuator/health/readiness", null);
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    } finally {
      node.close();
    }
  }

  @Test
  void withoutARolesKeyTheStartFailsNamingTheRoleAndWhereItsKeyGoes() throws Exception {
    Path data = dir.resolve("data");
    copy(FIXTURE, data);
    Files.delete(data.resolve("role-keys/devops_engineer.key"));
    assertThatThrownBy(() -> SpringNodes.start(args(data)).close())
        .satisfies(
            e -> {
              Throwable root = e;
              while (root.getCause() != null) {
                root = root.getCause();
              }
              assertThat(root.getMessage())
                  .contains("devops_engineer")
                  .contains("chorus.role-keys-dir")
                  .contains("before role signatures");
            });
  }
}
