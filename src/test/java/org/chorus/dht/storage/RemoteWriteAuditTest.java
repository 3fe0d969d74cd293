package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.storage.audit.RemoteAuditConfig;
import org.chorus.dht.system.TokenRegistry;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.testing.SpringNodes;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A full node audits the PUT_VALUEs a real peer sends it over loopback: a stored record as {@code
 * remote-put}/{@code accepted}, refused ones as {@code refused:<reason>}, and a flood of refused
 * ones only up to the per-peer budget. The peer is a bare kad node that validates nothing, so it
 * can send what a hostile peer would.
 */
@Tag("cluster")
class RemoteWriteAuditTest {

  static final String TOKEN = "remote-audit-token";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path root;
  static ConfigurableApplicationContext node;
  static Host peerHost;
  static Dht peer;
  static PeerId nodeId;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createTempDirectory("chorus-remote-audit-");
    node =
        SpringNodes.start(
            List.of(
                "--server.port=0",
                "--chorus.data-dir=" + root.resolve("node"),
                "--chorus.node-id=node-1",
                "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
                "--chorus.dht.backend=network",
                "--chorus.security.tokens[0].principal=writer",
                "--chorus.security.tokens[0].role=senior_architect",
                "--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN)));
    NetworkDht backend = SpringNodes.network(node);
    nodeId = backend.host().peerId();
    Clock clock = Clock.systemUTC();
    peerHost = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    peerHost.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    peer =
        new Dht(
            peerHost,
            KadConfig.builder().mode(KadConfig.Mode.SERVER).build(),
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            RecordValidator.PERMISSIVE,
            clock,
            QueryTimer.SYSTEM);
    peer.start();
    peer.bootstrap(List.of(backend.host().listenAddrs().get(0))).get(20, TimeUnit.SECONDS);
    backend.refresh().get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws IOException {
    if (peer != null) {
      peer.close();
      peerHost.close();
    }
    SpringNodes.stopAll(node == null ? List.of() : List.of(node), root);
  }

  static List<JsonNode> linesFrom(PeerId who) throws IOException {
    return Files.readAllLines(root.resolve("node/audit.log"), StandardCharsets.UTF_8).stream()
        .map(JSON::readTree)
        .filter(l -> who.toString().equals(l.path("principal").asString()))
        .toList();
  }

  @Test
  void aRecordAPeerPutsIsAuditedAsAcceptedWithThePeerAndTheKey() throws Exception {
    String address = "ucxl://agent-1/senior_architect/proj-remote/task-1/notes.md";
    HttpResponse<String> stored =
        RestCalls.send(
            node,
            TOKEN,
            "PUT",
            "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8),
            JSON.writeValueAsString(Map.of("text", "remote", "contentType", "text/plain")));
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    String key = UcxlAddress.parse(address).dhtKey();
    byte[] value = SpringNodes.network(node).getValue(key).orElseThrow();

    // the peer sends the node's own valid record back: stored (refreshed) again
    Dht.PutResult put =
        peer.putValueTo(key.getBytes(StandardCharsets.UTF_8), value, List.of(nodeId))
            .get(20, TimeUnit.SECONDS);
    assertThat(put.accepted()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> !linesFrom(peerHost.peerId()).stream().filter(this::accepted).toList().isEmpty());
    JsonNode line = linesFrom(peerHost.peerId()).stream().filter(this::accepted).findFirst().get();
    assertThat(line.path("operation").asString()).isEqualTo("remote-put");
    assertThat(line.path("address").asString()).isEqualTo(key);
    assertThat(line.path("node").asString()).isEqualTo("node-1");
  }

  private boolean accepted(JsonNode line) {
    return "accepted".equals(line.path("outcome").asString());
  }

  @Test
  void aFloodOfRefusedPutsIsAuditedUpToThePeersBudget() throws Exception {
    for (int i = 0; i < 50; i++) {
      Dht.PutResult put =
          peer.putValueTo(
                  ("/unknown/junk-" + i).getBytes(StandardCharsets.UTF_8),
                  new byte[] {1},
                  List.of(nodeId))
              .get(20, TimeUnit.SECONDS);
      assertThat(put.accepted()).isZero();
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                linesFrom(peerHost.peerId()).stream()
                        .filter(l -> l.path("outcome").asString().startsWith("refused:"))
                        .count()
                    == RemoteAuditConfig.DEFAULT_REFUSED_PER_PEER);
    JsonNode refused =
        linesFrom(peerHost.peerId()).stream()
            .filter(l -> l.path("outcome").asString().startsWith("refused:"))
            .findFirst()
            .get();
    assertThat(refused.path("outcome").asString()).isEqualTo("refused:unknown_namespace");
    assertThat(refused.path("address").asString()).startsWith("/unknown/junk-");

    HttpResponse<String> metrics = RestCalls.send(node, TOKEN, "GET", "/actuator/prometheus", null);
    assertThat(metrics.body())
        .contains("chorus_audit_remote_suppressed_total 40.0")
        .contains("chorus_audit_remote_dropped_total 0.0")
        // the kad limits' meters (README "Kad limits")
        .contains("chorus_kad_requests_throttled_total")
        .contains("chorus_kad_executor_queue_depth")
        .contains("chorus_kad_executor_refused_total")
        .contains("chorus_kad_providers_evicted_total")
        .contains("chorus_dht_records_refused_total{reason=\"quota\",source=\"put\"}");
  }
}
