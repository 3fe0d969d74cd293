package org.chorus.dht.kad.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.testing.JsPeer;
import org.chorus.dht.testing.NodeScripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Our {@link Dht} facade (lookups, not single RPCs) against js kad-dht: two js peers, {@code near}
 * (our bootstrap peer) and {@code far} (bootstrapped to {@code near} only, so we learn of it only
 * through a lookup), both on the protocol under test. Values, providers, closest peers and peer
 * routing, each both ways. One subclass per protocol prefix.
 */
abstract class DhtJsInteropContract {
  static JsPeer near;
  static JsPeer far;
  static Host host;
  static Dht dht;

  /** Starts both js peers and our Dht with {@code prefix/kad/1.0.0}, bootstrapped to near. */
  static void start(String prefix) throws Exception {
    NodeScripts.requireNode("Dht interop with js-libp2p on " + prefix);
    KadConfig config = KadConfig.builder().protocolPrefix(prefix).build();
    near = JsPeer.start("--protocol", config.protocolId());
    far = JsPeer.start("--protocol", config.protocolId(), "--bootstrap", near.addr().toString());
    JsonNode farSeen = near.get("/wait-routing-table?peerId=" + far.peerId() + "&timeoutMs=10000");
    assertThat(farSeen.toString()).contains(far.peerId().toBase58());
    host = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    Clock clock = Clock.systemUTC();
    dht =
        new Dht(
            host,
            config,
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            NamespacedValidator.permissiveChorus(),
            clock,
            QueryTimer.SYSTEM);
    dht.start();
    assertThat(dht.protocol().value()).isEqualTo(prefix + KadConfig.PROTOCOL_SUFFIX);
    // the bootstrap's self-lookup asks near, which names far: both end up in our table
    assertThat(dht.bootstrap(List.of(near.addr())).get(20, TimeUnit.SECONDS)).isGreaterThan(0);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> dht.routingTable().contains(far.peerId()));
    // and both js peers have us in their tables
    for (JsPeer js : List.of(near, far)) {
      JsonNode seen = js.get("/wait-routing-table?peerId=" + host.peerId() + "&timeoutMs=10000");
      assertThat(seen.toString()).contains(host.peerId().toBase58());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (dht != null) {
      dht.close();
      dht = null;
    }
    if (host != null) {
      host.close();
      host = null;
    }
    for (JsPeer js : new JsPeer[] {far, near}) {
      if (js != null) {
        js.close();
      }
    }
    far = null;
    near = null;
  }

  static String unique(String what) {
    return "/CHORUS/ucxl/" + what + "-" + System.nanoTime();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> ids(JsonNode peers) {
    List<String> out = new ArrayList<>();
    peers.forEach(p -> out.add(p.get("peerId").asString()));
    return out;
  }

  static List<String> texts(JsonNode texts) {
    List<String> out = new ArrayList<>();
    texts.forEach(t -> out.add(t.asString()));
    return out;
  }

  // --- values

  @Test
  void ourPutValueIsStoredOnBothJsPeers_andReturnedByJsGet() throws Exception {
    String key = unique("dht-put");
    Dht.PutResult put = dht.putValue(utf8(key), utf8("from-our-dht")).get(20, TimeUnit.SECONDS);
    assertThat(put).isEqualTo(new Dht.PutResult(2, 2));
    for (JsPeer js : List.of(near, far)) {
      JsonNode local = js.get("/local?key=" + JsPeer.q(key));
      assertThat(local.path("valueUtf8").asString()).as(local.toString()).isEqualTo("from-our-dht");
    }
    JsonNode get = far.get("/get?key=" + JsPeer.q(key) + "&timeoutMs=5000");
    assertThat(get.path("found").asBoolean()).as(get.toString()).isTrue();
    assertThat(get.get("valueUtf8").asString()).isEqualTo("from-our-dht");
  }

  @Test
  void jsPutIsReturnedByOurGetValue() throws Exception {
    String key = unique("js-put");
    // localOnly: only far holds it and sends nothing, so our lookup has to reach far
    JsonNode put =
        far.post("/put", "{\"key\":\"" + key + "\",\"value\":\"from-js\",\"localOnly\":true}");
    assertThat(put.path("ok").asBoolean()).as(put.toString()).isTrue();
    GetResult got = dht.getValue(utf8(key), 1).get(20, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(new String(((GetResult.Found) got).value(), StandardCharsets.UTF_8))
        .isEqualTo("from-js");
  }

  @Test
  void jsDhtPutIsReturnedByOurGetValue() throws Exception {
    String key = unique("js-dht-put");
    JsonNode put = far.post("/put", "{\"key\":\"" + key + "\",\"value\":\"js-dht\"}");
    assertThat(texts(put.get("acceptedBy"))).as(put.toString()).contains(host.peerId().toBase58());
    GetResult got = dht.getValue(utf8(key), 3).get(20, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) got).value()).isEqualTo(utf8("js-dht"));
    // ours (js's PUT_VALUE), near's and far's
    assertThat(((GetResult.Found) got).responders()).isEqualTo(3);
  }

  @Test
  void aKeyNobodyHasIsNotFound() throws Exception {
    assertThat(dht.getValue(utf8(unique("absent")), 1).get(20, TimeUnit.SECONDS))
        .isInstanceOf(GetResult.NotFound.class);
  }

  // --- providers

  @Test
  void ourProvideIsFoundByJsProviders() throws Exception {
    String key = unique("dht-provides");
    assertThat(dht.provide(utf8(key)).get(20, TimeUnit.SECONDS)).isEqualTo(2);
    // ADD_PROVIDER has no answer: js may still be handling it when provide completes
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> {
              JsonNode found = far.get("/providers?key=" + JsPeer.q(key) + "&timeoutMs=3000");
              assertThat(ids(found.get("providers")))
                  .as(found.toString())
                  .contains(host.peerId().toBase58());
            });
  }

  @Test
  void jsProvideIsFoundByOurFindProviders() throws Exception {
    String key = unique("js-provides");
    JsonNode provide = far.post("/provide", "{\"key\":\"" + key + "\"}");
    assertThat(texts(provide.get("sentTo")))
        .as(provide.toString())
        .contains(near.peerId().toBase58());
    // far's ADD_PROVIDER to near has no answer: wait (bounded) until near lists far
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                ids(near.get("/providers?key=" + JsPeer.q(key) + "&timeoutMs=3000")
                        .get("providers"))
                    .contains(far.peerId().toBase58()));
    List<KadPeer> found = dht.findProviders(utf8(key), 1).get(20, TimeUnit.SECONDS);
    assertThat(found).extracting(KadPeer::id).containsExactly(far.peerId());
    assertThat(found.get(0).addrs()).contains(far.addr().withoutPeerId());
  }

  // --- peers

  @Test
  void ourGetClosestPeersReturnsBothJsPeers() throws Exception {
    List<PeerId> closest = dht.getClosestPeers(utf8(unique("closest"))).get(20, TimeUnit.SECONDS);
    assertThat(closest).containsExactlyInAnyOrder(near.peerId(), far.peerId());
  }

  @Test
  void jsGetClosestPeersReturnsUs() throws Exception {
    JsonNode closest = far.get("/closest?key=" + JsPeer.q(unique("js-closest")));
    assertThat(ids(closest.get("peers")))
        .as(closest.toString())
        .contains(host.peerId().toBase58(), near.peerId().toBase58());
  }

  @Test
  void ourFindPeerFindsFarThroughNear() throws Exception {
    // not connected: the answer has to come from a FIND_NODE lookup
    for (Connection c : host.connections(far.peerId())) {
      c.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> host.connections(far.peerId()).isEmpty());
    Optional<KadPeer> found = dht.findPeer(far.peerId()).get(20, TimeUnit.SECONDS);
    assertThat(found).isPresent();
    assertThat(found.get().addrs()).contains(far.addr().withoutPeerId());
  }

  @Test
  void jsFindPeerFindsUs() throws Exception {
    JsonNode found = far.get("/find-peer?peerId=" + host.peerId());
    assertThat(found.path("found").asBoolean()).as(found.toString()).isTrue();
    assertThat(found.get("peer").get("peerId").asString()).isEqualTo(host.peerId().toBase58());
    assertThat(texts(found.get("peer").get("addrs")))
        .anyMatch(a -> a.startsWith(host.listenAddrs().get(0).toString()));
  }
}
