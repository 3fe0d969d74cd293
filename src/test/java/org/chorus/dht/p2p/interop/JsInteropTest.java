package org.chorus.dht.p2p.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.crypto.PublicKeys;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.protocol.identify.IdentifyInfo;
import org.chorus.dht.p2p.testing.JsPeer;
import org.chorus.dht.p2p.testing.KadEcho;
import org.chorus.dht.p2p.testing.StreamCollector;
import org.chorus.dht.testing.NodeScripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Interop with the real js-libp2p peer (src/test/js/interop-peer.mjs): both dial directions, Noise
 * + Yamux, identify on both sides, ping both ways, and many concurrent 1 MiB streams (js has no
 * echo protocol, so its kad PUT_VALUE, which echoes the request, carries the bytes back).
 */
@Tag("interop")
class JsInteropTest {
  static final ProtocolId KAD = ProtocolId.of("/CHORUS/kad/1.0.0");
  static final String SEED_1 = "0000000000000000000000000000000000000000000000000000000000000001";

  static JsPeer js;
  static Host host;
  static Multiaddr hostAddr;

  @BeforeAll
  static void start() throws Exception {
    NodeScripts.requireNode("JsInteropTest (js-libp2p interop)");
    js = JsPeer.start("--seed", SEED_1);
    // concurrentStreamsCarryOneMebibyteBothWays has up to 34 MiB of answers in flight on one
    // connection at once: more than the default per-connection memory budget (16 MiB)
    host =
        Host.create(
            HostConfig.builder()
                .limits(ConnectionLimits.builder().maxConnectionMemory(64L << 20).build())
                .build(),
            IdentityKey.generate());
    hostAddr = host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (js != null) {
      js.close();
    }
  }

  @Test
  void seededJsPeerHasTheDocumentedId() {
    assertThat(js.peerId().toBase58())
        .isEqualTo("12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp");
    assertThat(js.peerId())
        .isEqualTo(IdentityKey.fromSeed(java.util.HexFormat.of().parseHex(SEED_1)).peerId());
  }

  @Test
  void javaDialsJs_noiseYamuxIdentifyPing() throws Exception {
    Connection c = host.dial(js.addr()).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(js.peerId());
    assertThat(c.security().value()).isEqualTo("/noise");
    assertThat(c.muxer().value()).isEqualTo("/yamux/1.0.0");

    IdentifyInfo info = host.identified(c).get(10, TimeUnit.SECONDS);
    assertThat(PublicKeys.decode(info.publicKey()).peerId()).isEqualTo(js.peerId());
    assertThat(info.agentVersion()).startsWith("js-libp2p/");
    assertThat(info.protocolVersion()).isEqualTo("ipfs/0.1.0");
    assertThat(info.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", KAD.value());
    // js appends our /p2p id to what it observed
    assertThat(info.observedAddr().orElseThrow().withoutPeerId()).isEqualTo(c.localAddress());
    assertThat(info.observedAddr().orElseThrow().peerId()).contains(host.peerId());
    assertThat(info.listenAddrs()).contains(js.addr().withoutPeerId());
    assertThat(host.peerStore().get(js.peerId()).orElseThrow().agentVersion())
        .startsWith("js-libp2p/");

    // js's view of us, from our identify
    JsonNode peer = awaitJsPeer(host);
    assertThat(peer.get("metadata").get("AgentVersion").asString())
        .isEqualTo(HostConfig.DEFAULT_AGENT_VERSION);
    assertThat(texts(peer.get("protocols"))).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
    // the listen address we advertised in identify
    assertThat(texts(peer.get("addrs"))).contains(hostAddr.toString());
    assertThat(peer.get("publicKeyB64").asString())
        .isEqualTo(
            java.util.Base64.getEncoder().encodeToString(host.identity().publicKeyProtobuf()));

    assertThat(host.ping(c).get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));
    JsonNode ping = js.post("/ping", "{\"peerId\":\"" + host.peerId() + "\"}");
    assertThat(ping.get("ok").asBoolean()).as(ping.toString()).isTrue();
  }

  @Test
  void jsDialsJava_noiseYamuxIdentifyPing() throws Exception {
    JsonNode r = js.post("/dial", "{\"addr\":\"" + hostAddr.withPeerId(host.peerId()) + "\"}");
    assertThat(r.has("connection")).as(r.toString()).isTrue();
    assertThat(r.get("connection").get("encryption").asString()).isEqualTo("/noise");
    assertThat(r.get("connection").get("multiplexer").asString()).isEqualTo("/yamux/1.0.0");
    assertThat(r.get("identified").asBoolean()).as(r.toString()).isTrue();
    assertThat(r.get("peer").get("metadata").get("AgentVersion").asString())
        .isEqualTo(HostConfig.DEFAULT_AGENT_VERSION);
    assertThat(texts(r.get("peer").get("protocols")))
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");

    Connection in = inboundFromJs();
    IdentifyInfo info = host.identified(in).get(10, TimeUnit.SECONDS);
    assertThat(PublicKeys.decode(info.publicKey()).peerId()).isEqualTo(js.peerId());
    assertThat(info.agentVersion()).startsWith("js-libp2p/");
    // js dialled our listen address
    assertThat(info.observedAddr().orElseThrow().withoutPeerId()).isEqualTo(hostAddr);

    JsonNode ping = js.post("/ping", "{\"peerId\":\"" + host.peerId() + "\"}");
    assertThat(ping.get("ok").asBoolean()).as(ping.toString()).isTrue();
    assertThat(host.ping(in).get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));
    // every stream (identify both ways, pings) was closed by both sides: none lingers
    for (int i = 0; i < 100 && in.streamCount() > 0; i++) {
      Thread.sleep(50);
    }
    assertThat(in.streamCount()).isZero();
  }

  @Test
  void dialWithoutPeerIdLearnsIt_andWrongPeerIdIsRejected() throws Exception {
    Connection c = host.dial(js.addr().withoutPeerId()).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(js.peerId());
    Multiaddr wrong = js.addr().withPeerId(IdentityKey.generate().peerId());
    assertThatThrownBy(() -> host.dial(wrong).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("peer id mismatch");
  }

  /**
   * js caps inbound streams per protocol and connection (kad-dht 32, ping 2) and has no echo
   * protocol, so 34 concurrent streams on one connection each carry 1 MiB to js and 1 MiB back: 32
   * kad PUT_VALUEs (js echoes the request) and 2 ping streams (js's ping handler echoes anything).
   * Java↔Java runs 50 with an echo protocol in HostLoopbackTest.
   */
  @Test
  void concurrentStreamsCarryOneMebibyteBothWays() throws Exception {
    Connection c = host.dial(js.addr()).get(10, TimeUnit.SECONDS);
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      byte[] value = new byte[1 << 20];
      new Random(i).nextBytes(value);
      byte[] request =
          KadEcho.putValue(("/CHORUS/interop/" + i).getBytes(StandardCharsets.UTF_8), value);
      all.add(
          c.newStream(KAD)
              .thenCompose(s -> KadEcho.roundTrip(s, request))
              .thenApply(resp -> java.util.Arrays.equals(resp, request)));
    }
    for (int i = 0; i < 2; i++) {
      byte[] payload = new byte[1 << 20];
      new Random(100 + i).nextBytes(payload);
      all.add(
          c.newStream(org.chorus.dht.p2p.protocol.ping.Ping.PROTOCOL)
              .thenCompose(
                  s -> {
                    StreamCollector col = StreamCollector.on(s);
                    s.write(payload);
                    s.closeWrite();
                    return col.done();
                  })
              .thenApply(got -> java.util.Arrays.equals(got, payload)));
    }
    int ok = 0;
    for (CompletableFuture<Boolean> f : all) {
      if (f.get(120, TimeUnit.SECONDS)) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(34);
  }

  /**
   * js's connection monitor pings every connection every 10 s and aborts it if that fails; yamux
   * keep-alive pings too. The connection must outlive one round of both.
   */
  @Test
  @Tag("slow")
  void connectionSurvivesJsKeepAlive() throws Exception {
    long pingsBefore = host.inboundStreams(org.chorus.dht.p2p.protocol.ping.Ping.PROTOCOL);
    Connection c = host.dial(js.addr()).get(10, TimeUnit.SECONDS);
    Thread.sleep(11_500);
    assertThat(c.isOpen()).isTrue();
    // js's monitor (and kad's routing-table check) pinged us meanwhile
    assertThat(host.inboundStreams(org.chorus.dht.p2p.protocol.ping.Ping.PROTOCOL))
        .isGreaterThan(pingsBefore);
    JsonNode conns = js.get("/connections");
    List<String> peers = new ArrayList<>();
    conns.forEach(n -> peers.add(n.get("peerId").asString()));
    assertThat(peers).contains(host.peerId().toBase58());
    assertThat(host.ping(c).get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void secp256k1AndRsaPeersAreVerified() throws Exception {
    for (String type : List.of("secp256k1", "RSA")) {
      try (JsPeer other = JsPeer.start("--key-type", type, "--http-port", "-1")) {
        Connection c = host.dial(other.addr()).get(20, TimeUnit.SECONDS);
        assertThat(c.remotePeer()).isEqualTo(other.peerId());
        IdentifyInfo info = host.identified(c).get(10, TimeUnit.SECONDS);
        assertThat(PublicKeys.decode(info.publicKey()).type().name()).isEqualTo(type.toUpperCase());
        assertThat(host.ping(c).get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));
      }
    }
  }

  // --- helpers

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  /** js's peer-store entry for our host, once identify has filled it. */
  static JsonNode awaitJsPeer(Host h) throws Exception {
    JsonNode peer = null;
    for (int i = 0; i < 100; i++) {
      peer = js.get("/peer?peerId=" + JsPeer.q(h.peerId().toBase58()));
      if (peer.has("metadata") && peer.get("metadata").has("AgentVersion")) {
        return peer;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("js never identified us: " + peer);
  }

  static Connection inboundFromJs() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      for (Connection c : host.connections(js.peerId())) {
        if (c.direction() == Connection.Direction.INBOUND) {
          return c;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no inbound connection from js");
  }
}
