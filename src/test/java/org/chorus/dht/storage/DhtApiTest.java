package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.testing.ApiTestSupport;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/dht}: raw values, providers, node state. */
class DhtApiTest extends ApiTestSupport {

  private static final EnvelopeCodec CODEC = new EnvelopeCodec(4 * 1024 * 1024);

  private HttpResponse<byte[]> putRaw(String key, String role, byte[] value) {
    return send("PUT", "/api/v1/dht/values/" + enc(key), role, value, "application/octet-stream");
  }

  @Test
  void theRawValueIsTheSignedEnvelopeAndAnAdminCanPutItBack() throws Exception {
    String address = newAddress("backend_developer", "raw/a.txt");
    storeText(address, "backend_developer", "raw bytes");
    String key = UcxlAddress.parse(address).dhtKey();

    HttpResponse<byte[]> raw = get("/api/v1/dht/values/" + enc(key), "qa_engineer");
    assertThat(raw.statusCode()).as(new String(raw.body())).isEqualTo(200);
    assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    ContentEnvelope envelope = CODEC.decode(raw.body());
    assertThat(envelope.metadata().address()).isEqualTo(address);
    assertThat(envelope.roleSignature()).as("signed by the role").hasSize(64);

    // the unencoded form of the key names the same value
    assertThat(get("/api/v1/dht/values" + key, "qa_engineer").body()).isEqualTo(raw.body());

    // raw puts are for admins only
    JsonNode notAdmin = problem(putRaw(key, "qa_engineer", raw.body()), 403);
    assertThat(notAdmin.path("type").asString()).endsWith("admin-required");

    HttpResponse<byte[]> put = putRaw(key, "senior_architect", raw.body());
    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
    assertThat(json(put).path("key").asString()).isEqualTo(key);
    assertThat(json(put).path("version").asLong()).isEqualTo(1);
    // and tracked for replication like stored content
    JsonNode status =
        json(get("/api/v1/replication/status?address=" + enc(address), "qa_engineer"));
    assertThat(status.path("tracked").asBoolean()).isTrue();
  }

  @Test
  void aReplayedOlderEnvelopeIsRefused() {
    String address = newAddress("backend_developer", "raw/replay.txt");
    storeText(address, "backend_developer", "first");
    String key = UcxlAddress.parse(address).dhtKey();
    byte[] first = get("/api/v1/dht/values/" + enc(key), "qa_engineer").body();
    storeText(address, "backend_developer", "second");

    JsonNode replay = problem(putRaw(key, "senior_architect", first), 409);
    assertThat(replay.path("currentVersion").asLong()).isEqualTo(2);
    HttpResponse<byte[]> now = get("/api/v1/content?address=" + enc(address), "backend_developer");
    assertThat(json(now).path("text").asString()).isEqualTo("second");
  }

  @Test
  void aTamperedOrMisplacedEnvelopeIsRejected() {
    String address = newAddress("backend_developer", "raw/b.txt");
    storeText(address, "backend_developer", "original");
    String key = UcxlAddress.parse(address).dhtKey();
    byte[] value = get("/api/v1/dht/values/" + enc(key), "qa_engineer").body();

    String json = new String(value, StandardCharsets.UTF_8);
    byte[] tampered =
        json.replace("\"version\":1", "\"version\":7").getBytes(StandardCharsets.UTF_8);
    JsonNode problem = problem(putRaw(key, "senior_architect", tampered), 400);
    assertThat(problem.path("detail").asString()).contains("signature");
    assertThat(problem.path("reason").asString()).isEqualTo("bad_signature");

    String otherKey = UcxlAddress.parse(newAddress("backend_developer", "raw/c.txt")).dhtKey();
    JsonNode misplaced = problem(putRaw(otherKey, "senior_architect", value), 400);
    assertThat(misplaced.path("detail").asString()).contains("does not hash to key");

    problem(putRaw(otherKey, "senior_architect", "not json".getBytes(StandardCharsets.UTF_8)), 400);
    problem(get("/api/v1/dht/values/" + enc(otherKey), "qa_engineer"), 404);
  }

  @Test
  void valuesOutsideTheUcxlNamespaceAreRefusedNamingTheKey() {
    String key = "/test/raw-" + System.nanoTime();
    JsonNode problem = problem(putRaw(key, "senior_architect", new byte[] {1, 2, 3}), 400);
    assertThat(problem.path("field").asString()).isEqualTo("key");
    assertThat(problem.path("detail").asString()).contains("/CHORUS/ucxl/");
    problem(putRaw(key, "read_only_observer", new byte[] {1}), 403);
  }

  @Test
  void providersOfAKey() {
    String key = "/test/provided-" + System.nanoTime();
    assertThat(
            json(get("/api/v1/dht/providers/" + enc(key), "qa_engineer")).path("providers").size())
        .isZero();
    HttpResponse<byte[]> provided =
        send("POST", "/api/v1/dht/providers/" + enc(key), "qa_engineer", null, null);
    assertThat(provided.statusCode()).as(new String(provided.body())).isEqualTo(200);
    JsonNode providers =
        json(get("/api/v1/dht/providers/" + enc(key) + "?count=10", "qa_engineer"));
    assertThat(providers.path("key").asString()).isEqualTo(key);
    assertThat(providers.path("providers").get(0).path("peerId").asString())
        .isEqualTo(json(get("/api/v1/dht/stats", "qa_engineer")).path("peerId").asString());
  }

  @Test
  void nodeState() {
    JsonNode stats = json(get("/api/v1/dht/stats", "qa_engineer"));
    for (String field :
        new String[] {
          "peerId",
          "listenAddrs",
          "mode",
          "bootstrapped",
          "totalPeers",
          "totalKeys",
          "routingTableSize",
          "uptime"
        }) {
      assertThat(stats.has(field)).as(field).isTrue();
    }
    // the default node: hybrid backend, a real libp2p listener, standalone (never had a peer)
    assertThat(stats.path("backend").asString()).isEqualTo("hybrid");
    String peerId = stats.path("peerId").asString();
    assertThat(peerId).startsWith("12D3KooW");
    assertThat(stats.path("listenAddrs").size()).isPositive();
    assertThat(stats.path("listenAddrs").get(0).asString())
        .startsWith("/ip4/127.0.0.1/tcp/")
        .endsWith("/p2p/" + peerId);
    assertThat(stats.path("bootstrapped").asBoolean()).isFalse();
    assertThat(stats.path("totalPeers").asInt()).isZero();

    JsonNode peers = json(get("/api/v1/dht/peers", "qa_engineer"));
    assertThat(peers.path("peers").size()).isZero();
    JsonNode table = json(get("/api/v1/dht/routing-table", "qa_engineer"));
    assertThat(table.path("buckets").size()).isZero();
  }
}
