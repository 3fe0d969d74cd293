package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's start against its listen port: a port in use fails the start naming {@code
 * chorus.dht.listen}; the explicit {@code local} opt-out binds nothing (so the same taken port does
 * not matter), still shows its real peer id, and cannot switch backends.
 */
class NodeDefaultsTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  @Test
  void aListenPortInUseFailsTheStartNamingTheProperty() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String listen = "/ip4/127.0.0.1/tcp/" + taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  SpringNodes.start(
                      List.of(
                          "--server.port=0",
                          "--chorus.data-dir=" + dir.resolve("node"),
                          "--chorus.dht.listen=" + listen)))
          .satisfies(
              e -> {
                Throwable cause = e;
                while (cause != null && !(cause instanceof ListenFailedException)) {
                  cause = cause.getCause();
                }
                assertThat(cause)
                    .as(NestedExceptionUtils.getMostSpecificCause(e).toString())
                    .isInstanceOf(ListenFailedException.class)
                    .hasMessageContaining("chorus.dht.listen")
                    .hasMessageContaining(listen)
                    .hasMessageContaining("address already in use");
                FailureAnalysis analysis = new ListenFailureAnalyzer().analyze(e);
                assertThat(analysis).isNotNull();
                assertThat(analysis.getDescription()).contains("chorus.dht.listen", listen);
                assertThat(analysis.getAction()).contains("chorus.dht.listen");
              });
    }
  }

  @Test
  void theLocalOptOutHasNoListenerButItsRealPeerId() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ConfigurableApplicationContext node =
          SpringNodes.start(
              List.of(
                  "--server.port=0",
                  "--chorus.data-dir=" + dir.resolve("local"),
                  "--chorus.dht.backend=local",
                  "--chorus.dht.listen=/ip4/127.0.0.1/tcp/" + taken.getLocalPort()));
      try {
        String token = Files.readString(dir.resolve("local").resolve("initial-token")).trim();
        JsonNode stats =
            JSON.readTree(RestCalls.send(node, token, "GET", "/api/v1/dht/stats", null).body());
        assertThat(stats.path("backend").asString()).isEqualTo("local");
        assertThat(stats.path("peerId").asString()).startsWith("12D3KooW");
        assertThat(stats.path("listenAddrs").size()).isZero();
        assertThat(stats.path("bootstrapped").asBoolean()).isFalse();

        HttpResponse<String> pin =
            RestCalls.send(
                node, token, "POST", "/api/v1/backends/active", "{\"backend\":\"network\"}");
        assertThat(pin.statusCode()).as(pin.body()).isEqualTo(409);
      } finally {
        node.close();
      }
    }
  }
}
