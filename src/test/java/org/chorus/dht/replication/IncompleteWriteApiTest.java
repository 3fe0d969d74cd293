package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.system.TokenRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A full node whose only peer answers lookups but refuses every PUT: two nodes are reachable, so a
 * complete write needs 2 copies; only this node's exists, so the store answers {@code 202 Accepted}
 * with {@code reached: 1} (never more than confirmed), and the key is tracked.
 */
@Tag("cluster")
class IncompleteWriteApiTest {

  static final String TOKEN = "incomplete-write-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static ConfigurableApplicationContext node;
  static Host peerHost;
  static Dht peer;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createTempDirectory("chorus-incomplete-write-");
    node =
        new SpringApplicationBuilder(ChorusDhtApplication.class)
            .run(
                "--server.port=0",
                "--chorus.data-dir=" + root.resolve("node"),
                "--chorus.node-id=node-1",
                "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
                "--chorus.dht.backend=network",
                "--chorus.security.tokens[0].principal=writer",
                "--chorus.security.tokens[0].role=senior_architect",
                "--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN));
    NetworkDht backend = (NetworkDht) node.getBean(DhtBackend.class);
    Clock clock = Clock.systemUTC();
    peerHost = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    peerHost.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    peer =
        new Dht(
            peerHost,
            KadConfig.builder().build(),
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            refusing(),
            clock,
            QueryTimer.SYSTEM);
    peer.start();
    peer.bootstrap(List.of(backend.host().listenAddrs().get(0))).get(20, TimeUnit.SECONDS);
    backend.refresh().get(20, TimeUnit.SECONDS);
  }

  static RecordValidator refusing() {
    return new RecordValidator() {
      @Override
      public void validate(byte[] key, byte[] value) {
        throw new InvalidRecordException("refused");
      }

      @Override
      public int select(byte[] key, List<byte[]> values) {
        throw new InvalidRecordException("refused");
      }
    };
  }

  @AfterAll
  static void stop() throws IOException {
    if (peer != null) {
      peer.close();
      peerHost.close();
    }
    if (node != null) {
      node.close();
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void storeThatReachesTooFewCopiesIsAcceptedNotCreated() throws Exception {
    String address = "ucxl://agent-1/senior_architect/proj-incomplete/task-1/a.md";
    int port = ((WebServerApplicationContext) node).getWebServer().getPort();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://localhost:"
                        + port
                        + "/api/v1/content?address="
                        + URLEncoder.encode(address, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    JSON.writeValueAsString(Map.of("text", "only here"))))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.headers().firstValue("Location")).isPresent();
    JsonNode replication = JSON.readTree(response.body()).path("replication");
    assertThat(replication.path("reached").asInt()).isEqualTo(1);
    assertThat(replication.path("required").asInt()).isEqualTo(2);
    assertThat(replication.path("target").asInt()).isEqualTo(3);
    assertThat(replication.path("complete").asBoolean()).isFalse();
    String key = JSON.readTree(response.body()).path("dhtKey").asString();
    assertThat(node.getBean(ReplicationManager.class).state(key)).isPresent();
  }
}
