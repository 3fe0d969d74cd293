package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code chorus.dht.swarm-key-file} on full nodes over loopback: two nodes with the same key file
 * form a cluster (content stored through one is read through the other); a third with another key,
 * bootstrapping from the first, never joins, and the first counts it in {@code
 * chorus_p2p_refused_total{reason="pnet"}}. A key file that cannot be used fails the start naming
 * the property.
 */
@Tag("cluster")
class PrivateNetworkSpringTest {
  static final String TOKEN = "pnet-test-token";
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final SpringNodes.Caller CALLER =
      new SpringNodes.Caller("pnet-user", "senior_architect", true, TOKEN);

  @TempDir Path root;
  final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    SpringNodes.stopAll(nodes, null);
  }

  ConfigurableApplicationContext start(int n, Path keyFile, String bootstrap) {
    List<String> args =
        SpringNodes.networkArgs(root, n, root.resolve("role-keys"), bootstrap, CALLER);
    args.add("--chorus.dht.swarm-key-file=" + keyFile);
    ConfigurableApplicationContext node = SpringNodes.start(args);
    nodes.add(node);
    return node;
  }

  static NetworkDht network(ConfigurableApplicationContext node) {
    return SpringNodes.network(node);
  }

  @Test
  void theSameKeyFormsAClusterAndAnotherKeyCannotJoin() throws Exception {
    Path key = Files.write(root.resolve("swarm.key"), SwarmKey.generate().encode());
    Path otherKey = Files.write(root.resolve("other.key"), SwarmKey.generate().encode());
    ConfigurableApplicationContext n1 = start(1, key, null);
    String boot = network(n1).stats().listenAddrs().get(0);
    ConfigurableApplicationContext n2 = start(2, key, boot);
    await().atMost(Duration.ofSeconds(30)).until(() -> network(n2).stats().bootstrapped());

    String address = "ucxl://agent-1/senior_architect/proj-pnet/task-1/notes.md";
    String query = "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    String body =
        JSON.writeValueAsString(Map.of("text", "members only", "contentType", "text/plain"));
    HttpResponse<String> stored = RestCalls.send(n1, TOKEN, "PUT", query, body);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    HttpResponse<String> read = RestCalls.send(n2, TOKEN, "GET", query, null);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(JSON.readTree(read.body()).path("text").asString()).isEqualTo("members only");

    ConfigurableApplicationContext n3 = start(3, otherKey, boot);
    MeterRegistry meters = n1.getBean(MeterRegistry.class);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                meters.get("chorus.p2p.refused").tag("reason", "pnet").functionCounter().count()
                    >= 1);
    String outsider = network(n3).stats().peerId();
    assertThat(network(n3).stats().bootstrapped()).isFalse();
    assertThat(network(n3).dht().routingTable().size()).isZero();
    assertThat(network(n3).host().connections()).isEmpty();
    assertThat(network(n1).peers()).noneMatch(p -> p.peerId().equals(outsider));
    assertThat(network(n1).host().connections())
        .noneMatch(c -> c.remotePeer().toBase58().equals(outsider));
    assertThat(network(n1).stats().totalPeers()).isEqualTo(1);
    assertThat(network(n1).stats().routingTableSize()).isEqualTo(1);
    HttpResponse<String> prometheus =
        RestCalls.send(n1, TOKEN, "GET", "/actuator/prometheus", null);
    assertThat(prometheus.body())
        .containsPattern("chorus_p2p_refused_total\\{reason=\"pnet\"[^}]*} [1-9]");
  }

  @Test
  void aKeyFileThatCannotBeUsedFailsTheStartNamingTheProperty() throws Exception {
    Path missing = root.resolve("missing.key");
    Path malformed =
        Files.writeString(root.resolve("bad.key"), "/key/swarm/psk/1.0.0/\n/base64/\nx\n");
    for (Path file : List.of(missing, malformed)) {
      assertThatThrownBy(() -> start(9, file, null))
          .satisfies(
              e -> {
                Throwable cause = e;
                while (cause != null && !(cause instanceof SwarmKeyFileException)) {
                  cause = cause.getCause();
                }
                assertThat(cause)
                    .as(NestedExceptionUtils.getMostSpecificCause(e).toString())
                    .isInstanceOf(SwarmKeyFileException.class)
                    .hasMessageContaining("chorus.dht.swarm-key-file=" + file);
                FailureAnalysis analysis = new SwarmKeyFailureAnalyzer().analyze(e);
                assertThat(analysis).isNotNull();
                assertThat(analysis.getDescription())
                    .contains("chorus.dht.swarm-key-file", file.toString());
                assertThat(analysis.getAction())
                    .contains("chorus.dht.swarm-key-file", "bin/chorus-swarm-key");
              });
    }
    assertThatThrownBy(() -> start(9, missing, null)).hasStackTraceContaining("no such file");
    assertThatThrownBy(() -> start(9, malformed, null))
        .hasStackTraceContaining("only /base16/ keys are supported");
  }
}
