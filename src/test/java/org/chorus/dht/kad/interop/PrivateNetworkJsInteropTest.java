package org.chorus.dht.kad.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.p2p.testing.JsPeer;
import org.chorus.dht.testing.NodeScripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Private networks against js-libp2p's {@code @libp2p/pnet} (the interop peer's {@code --psk}):
 * with the same swarm key file both sides connect in both directions and exchange kad values both
 * ways; a js peer with another key, or none, can neither dial us nor be dialled, fails well before
 * the dial timeout, and is in neither side's connections or routing table.
 */
@Tag("interop")
class PrivateNetworkJsInteropTest {
  /** Longest a refused dial may take: the 3 s handshake timeout plus a margin, not the 10 s one. */
  static final Duration REFUSED_WITHIN = Duration.ofSeconds(6);

  @TempDir static Path dir;
  static JsPeer same;
  static JsPeer other;
  static JsPeer open;
  static Host host;
  static Dht dht;
  static Multiaddr hostAddr;

  @BeforeAll
  static void start() throws Exception {
    NodeScripts.requireNode("private network interop with js-libp2p (@libp2p/pnet)");
    SwarmKey key = SwarmKey.generate();
    Path keyFile = Files.write(dir.resolve("swarm.key"), key.encode());
    Path otherFile = Files.write(dir.resolve("other.key"), SwarmKey.generate().encode());
    same = JsPeer.start("--psk", keyFile.toString());
    other = JsPeer.start("--psk", otherFile.toString());
    open = JsPeer.start();
    assertThat(same.ready().path("privateNetwork").asBoolean()).isTrue();
    assertThat(open.ready().path("privateNetwork").asBoolean()).isFalse();

    // our side reads the same file the js peer read
    host =
        Host.create(
            HostConfig.builder().ioThreads(1).swarmKey(SwarmKey.read(keyFile)).build(),
            IdentityKey.generate());
    hostAddr =
        host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .get(5, TimeUnit.SECONDS)
            .withPeerId(host.peerId());
    Clock clock = Clock.systemUTC();
    dht =
        new Dht(
            host,
            KadConfig.builder().mode(KadConfig.Mode.SERVER).build(),
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            NamespacedValidator.permissiveChorus(),
            clock,
            QueryTimer.SYSTEM);
    dht.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (dht != null) {
      dht.close();
    }
    if (host != null) {
      host.close();
    }
    for (JsPeer js : new JsPeer[] {same, other, open}) {
      if (js != null) {
        js.close();
      }
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theSameKeyConnectsBothWays_andKadValuesGoBothWays() throws Exception {
    // js dials us
    JsonNode r = same.post("/dial", "{\"addr\":\"" + hostAddr + "\"}");
    assertThat(r.path("identified").asBoolean()).as(r.toString()).isTrue();
    assertThat(r.path("connection").path("encryption").asString()).isEqualTo("/noise");
    assertThat(host.connections(same.peerId()))
        .anySatisfy(c -> assertThat(c.direction()).isEqualTo(Connection.Direction.INBOUND));
    JsonNode hung = same.post("/hangup", "{\"peerId\":\"" + host.peerId() + "\"}");
    assertThat(hung.path("ok").asBoolean()).as(hung.toString()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> host.connections(same.peerId()).stream().noneMatch(Connection::isOpen));

    // we dial js, through the kad bootstrap
    assertThat(dht.bootstrap(List.of(same.addr())).get(20, TimeUnit.SECONDS)).isGreaterThan(0);
    assertThat(host.connections(same.peerId()))
        .anySatisfy(c -> assertThat(c.direction()).isEqualTo(Connection.Direction.OUTBOUND));
    assertThat(dht.routingTable().contains(same.peerId())).isTrue();

    // our PUT is stored on js, and js's value is found by our GET
    String ours = "/CHORUS/ucxl/pnet-ours-" + System.nanoTime();
    Dht.PutResult put = dht.putValue(utf8(ours), utf8("from-java")).get(20, TimeUnit.SECONDS);
    assertThat(put.accepted()).isGreaterThanOrEqualTo(1);
    JsonNode local = same.get("/local?key=" + JsPeer.q(ours));
    assertThat(local.path("valueUtf8").asString()).as(local.toString()).isEqualTo("from-java");

    String theirs = "/CHORUS/ucxl/pnet-theirs-" + System.nanoTime();
    JsonNode jsPut =
        same.post("/put", "{\"key\":\"" + theirs + "\",\"value\":\"from-js\",\"localOnly\":true}");
    assertThat(jsPut.path("ok").asBoolean()).as(jsPut.toString()).isTrue();
    GetResult got = dht.getValue(utf8(theirs), 1).get(20, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(new String(((GetResult.Found) got).value(), StandardCharsets.UTF_8))
        .isEqualTo("from-js");
    JsonNode jsGet = same.get("/get?key=" + JsPeer.q(ours) + "&timeoutMs=5000");
    assertThat(jsGet.path("valueUtf8").asString()).as(jsGet.toString()).isEqualTo("from-java");
  }

  /** The key file js-libp2p's own generator writes (95 bytes, no final newline) reads here. */
  @Test
  void aKeyFromJsLibp2psGeneratorIsReadAsTheSameKey() throws Exception {
    Path file = dir.resolve("js-generated.key");
    Process p =
        new ProcessBuilder(
                "node",
                "-e",
                "import('@libp2p/pnet').then(({ generateKey }) => { const k = new Uint8Array(95);"
                    + " generateKey(k); process.stdout.write(k) })")
            .directory(NodeScripts.installed().toFile())
            .redirectOutput(file.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes).hasSize(95);
    String hex = new String(bytes, StandardCharsets.US_ASCII).lines().toList().get(2);
    assertThat(SwarmKey.read(file))
        .isEqualTo(
            SwarmKey.parse(utf8(SwarmKey.CODEC + "\n" + SwarmKey.ENCODING + "\n" + hex + "\n")));
  }

  @Test
  void aJsPeerWithAnotherKeyIsRefusedBothWays() throws Exception {
    refusedBothWays(other);
  }

  @Test
  void aJsPeerWithoutAKeyIsRefusedBothWays() throws Exception {
    refusedBothWays(open);
  }

  private static void refusedBothWays(JsPeer js) throws Exception {
    long refusedBefore = host.privateNetworkRefused();

    long start = System.nanoTime();
    assertThatThrownBy(() -> host.dial(js.addr()).get(15, TimeUnit.SECONDS))
        .hasMessageContaining("private network:");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REFUSED_WITHIN);

    start = System.nanoTime();
    JsonNode r = js.post("/dial", "{\"addr\":\"" + hostAddr + "\"}");
    assertThat(r.has("error")).as(r.toString()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REFUSED_WITHIN);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(host.privateNetworkRefused())
                    .as("refusals counted; js said %s", r)
                    .isGreaterThanOrEqualTo(refusedBefore + 2));
    assertThat(host.connections(js.peerId())).isEmpty();
    assertThat(host.connections()).noneMatch(c -> c.remotePeer().equals(js.peerId()));
    assertThat(dht.routingTable().contains(js.peerId())).isFalse();
    JsonNode info = js.get("/info");
    assertThat(info.path("connections").asInt()).as(info.toString()).isZero();
    assertThat(js.get("/routing-table").toString()).doesNotContain(host.peerId().toBase58());
  }
}
