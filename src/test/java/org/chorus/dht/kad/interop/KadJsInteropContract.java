package org.chorus.dht.kad.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadRequestHandler;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.kad.rpc.KadRpc;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.testing.JsPeer;
import org.chorus.dht.testing.NodeScripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The kad RPC against the real js-libp2p kad-dht (src/test/js/interop-peer.mjs), both directions:
 * js sends raw requests to our {@link KadRequestHandler} with {@code POST /kad/rpc}, and our {@link
 * KadMessenger} sends each request type to js. One subclass per protocol prefix.
 */
abstract class KadJsInteropContract {
  static final HexFormat HEX = HexFormat.of();
  static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}000000Z";

  static JsPeer js;
  static Host host;
  static Multiaddr hostAddr;
  static ProtocolId protocol;
  static InMemoryRecordStore records;
  static ProviderStore providers;
  static KadRequestHandler handler;
  static KadMessenger messenger;
  static final List<KadPeer> fakes = new ArrayList<>();

  /** Starts js with {@code prefix/kad/1.0.0} and our host serving the same protocol. */
  static void start(String prefix) throws Exception {
    NodeScripts.requireNode("kad interop with js-libp2p on " + prefix);
    protocol = KadRpc.protocol(prefix);
    js = JsPeer.start("--protocol", protocol.value());
    host = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    hostAddr = host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    records = new InMemoryRecordStore(Clock.systemUTC());
    providers = new InMemoryProviderStore(Clock.systemUTC());
    fakes.clear();
    for (int i = 0; i < 3; i++) {
      // unreachable at once (connection refused) if js ever dials them
      fakes.add(
          new KadPeer(
              IdentityKey.generate().peerId(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/9"))));
    }
    List<KadPeer> known = new ArrayList<>(fakes);
    known.add(new KadPeer(js.peerId(), List.of(js.addr().withoutPeerId())));
    handler =
        KadRequestHandler.forHost(
            host,
            records,
            NamespacedValidator.permissiveChorus(),
            providers,
            (key, n) -> known.stream().limit(n).toList(),
            Clock.systemUTC());
    host.setHandler(protocol, handler);
    messenger = new KadMessenger(host, protocol);
    // js knows us (and puts us in its routing table); we are connected to it
    JsonNode dial = js.post("/dial", "{\"addr\":\"" + hostAddr.withPeerId(host.peerId()) + "\"}");
    assertThat(dial.path("inRoutingTable").asBoolean()).as(dial.toString()).isTrue();
    assertThat(host.connections(js.peerId())).isNotEmpty();
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) {
      host.close();
      host = null;
    }
    if (js != null) {
      js.close();
      js = null;
    }
  }

  /** {@code POST /kad/rpc} to our node. */
  static JsonNode jsRpc(String fields) throws Exception {
    return js.post(
        "/kad/rpc",
        "{\"peerId\":\""
            + host.peerId()
            + "\",\"protocol\":\""
            + protocol.value()
            + "\","
            + fields
            + "}");
  }

  static String unique(String what) {
    return "/CHORUS/ucxl/" + what + "-" + System.nanoTime();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The provider key js derives from a plain key: sha2-256 multihash of its bytes. */
  static byte[] providerKey(String key) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(utf8(key));
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 0x20;
    System.arraycopy(d, 0, mh, 2, 32);
    return mh;
  }

  static <T> KadResult<T> await(CompletableFuture<KadResult<T>> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static List<String> ids(JsonNode peers) {
    List<String> out = new ArrayList<>();
    peers.forEach(p -> out.add(p.get("peerId").asString()));
    return out;
  }

  // --- js -> us

  @Test
  void jsPutValueIsEchoed_andJsGetValueReturnsOurStoredRecord() throws Exception {
    String key = unique("js-put");
    JsonNode put = jsRpc("\"type\":\"PUT_VALUE\",\"key\":\"" + key + "\",\"value\":\"from-js\"");
    assertThat(put.path("ok").asBoolean()).as(put.toString()).isTrue();
    assertThat(put.get("responseHex").asString()).isEqualTo(put.get("requestHex").asString());
    KadRecord stored = records.get(utf8(key)).orElseThrow();
    assertThat(new String(stored.value(), StandardCharsets.UTF_8)).isEqualTo("from-js");
    assertThat(stored.timeReceived()).matches(TIME);

    JsonNode get = jsRpc("\"type\":\"GET_VALUE\",\"key\":\"" + key + "\"");
    assertThat(get.path("ok").asBoolean()).as(get.toString()).isTrue();
    JsonNode rec = get.get("response").get("record");
    assertThat(rec.get("keyUtf8").asString()).isEqualTo(key);
    assertThat(rec.get("valueUtf8").asString()).isEqualTo("from-js");
    assertThat(rec.get("timeReceived").asString()).isEqualTo(stored.timeReceived());
    // closer peers: ours, without js (the requester) and without us
    assertThat(ids(get.get("response").get("closer")))
        .containsExactlyElementsOf(fakes.stream().map(p -> p.id().toBase58()).toList());
  }

  @Test
  void jsPutValueUnderAnUnknownNamespaceIsResetAndCounted() throws Exception {
    long before = handler.rejected();
    JsonNode put = jsRpc("\"type\":\"PUT_VALUE\",\"key\":\"/other/x\",\"value\":\"v\"");
    assertThat(put.path("ok").asBoolean()).as(put.toString()).isFalse();
    assertThat(handler.rejected()).isEqualTo(before + 1);
  }

  @Test
  void jsFindNodeGetsOurCloserPeers() throws Exception {
    JsonNode find =
        jsRpc("\"type\":\"FIND_NODE\",\"findPeerId\":\"" + fakes.get(1).id().toBase58() + "\"");
    assertThat(find.path("ok").asBoolean()).as(find.toString()).isTrue();
    JsonNode closer = find.get("response").get("closer");
    assertThat(ids(closer))
        .containsExactlyElementsOf(fakes.stream().map(p -> p.id().toBase58()).toList());
    assertThat(closer.get(0).get("addrs").get(0).asString()).isEqualTo("/ip4/127.0.0.1/tcp/9");

    JsonNode self =
        jsRpc("\"type\":\"FIND_NODE\",\"findPeerId\":\"" + host.peerId().toBase58() + "\"");
    assertThat(ids(self.get("response").get("closer"))).containsExactly(host.peerId().toBase58());
  }

  @Test
  void jsAddProviderThenGetProvidersListsJs() throws Exception {
    String key = unique("js-provides");
    JsonNode add = jsRpc("\"type\":\"ADD_PROVIDER\",\"key\":\"" + key + "\"");
    assertThat(add.path("ok").asBoolean()).as(add.toString()).isTrue();
    // ADD_PROVIDER has no answer: our handler may still be reading it when js reports it sent
    JsonNode got =
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () -> jsRpc("\"type\":\"GET_PROVIDERS\",\"key\":\"" + key + "\""),
                r -> r.get("response").get("providers").size() > 0);
    JsonNode provs = got.get("response").get("providers");
    assertThat(ids(provs)).as(got.toString()).containsExactly(js.peerId().toBase58());
    assertThat(provs.get(0).get("addrs").get(0).asString())
        .isEqualTo(js.addr().withoutPeerId().toString());
    assertThat(providers.get(providerKey(key)))
        .extracting(KadPeer::id)
        .containsExactly(js.peerId());
  }

  @Test
  void jsProvideReachesUs() throws Exception {
    String key = unique("js-provide-api");
    JsonNode provide = js.post("/provide", "{\"key\":\"" + key + "\"}");
    assertThat(ids_(provide.get("sentTo")))
        .as(provide.toString())
        .contains(host.peerId().toBase58());
    // ADD_PROVIDER has no response: js reports it sent once written, our handler may still be
    // reading it.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () ->
                assertThat(providers.get(providerKey(key)))
                    .extracting(KadPeer::id)
                    .containsExactly(js.peerId()));
  }

  /** js's own client logic (dht.put: FIND_NODE then PUT_VALUE, checking the echo) against us. */
  @Test
  void jsDhtPutIsAcceptedByUs() throws Exception {
    String key = unique("js-dht-put");
    JsonNode put = js.post("/put", "{\"key\":\"" + key + "\",\"value\":\"via-dht\"}");
    assertThat(ids_(put.get("acceptedBy"))).as(put.toString()).contains(host.peerId().toBase58());
    assertThat(records.get(utf8(key)).map(r -> new String(r.value(), StandardCharsets.UTF_8)))
        .contains("via-dht");
  }

  /** js's dht.get (GET_VALUE to the network) finds a value only we hold. */
  @Test
  void jsDhtGetFindsOurValue() throws Exception {
    String key = unique("java-only");
    records.put(new KadRecord(utf8(key), utf8("ours"), "2026-11-24T05:48:03.076000000Z"));
    JsonNode get = js.get("/get?key=" + JsPeer.q(key) + "&timeoutMs=5000");
    assertThat(get.path("found").asBoolean()).as(get.toString()).isTrue();
    assertThat(get.get("valueUtf8").asString()).isEqualTo("ours");
    List<String> from = new ArrayList<>();
    get.get("values").forEach(v -> from.add(v.get("from").asString()));
    assertThat(from).contains(host.peerId().toBase58());
  }

  @Test
  void jsKadPingIsEchoed() throws Exception {
    JsonNode ping = jsRpc("\"type\":\"PING\"");
    assertThat(ping.path("ok").asBoolean()).as(ping.toString()).isTrue();
    assertThat(ping.get("responseHex").asString()).isEqualTo(ping.get("requestHex").asString());
  }

  // --- us -> js

  @Test
  void ourPutValueIsEchoedByJs_andStoredThere() throws Exception {
    String key = unique("java-put");
    KadRecord rec = new KadRecord(utf8(key), utf8("from-java"));
    KadResult<KadRecord> put = await(messenger.putValue(js.peerId(), rec));
    assertThat(put).as(put.toString()).isInstanceOf(KadResult.Ok.class);
    JsonNode local = js.get("/local?key=" + JsPeer.q(key));
    assertThat(local.path("found").asBoolean()).as(local.toString()).isTrue();
    assertThat(local.get("valueUtf8").asString()).isEqualTo("from-java");
  }

  @Test
  void ourPutValueUnderAnUnknownNamespaceIsRefusedByJs() throws Exception {
    KadRecord rec = new KadRecord(utf8("/other/java"), utf8("v"));
    assertThat(await(messenger.putValue(js.peerId(), rec))).isInstanceOf(KadResult.Failed.class);
  }

  @Test
  void ourGetValueReturnsJsRecord() throws Exception {
    String key = unique("js-local");
    JsonNode put =
        js.post("/put", "{\"key\":\"" + key + "\",\"value\":\"js-value\",\"localOnly\":true}");
    assertThat(put.path("ok").asBoolean()).as(put.toString()).isTrue();
    KadMessenger.ValueReply got = await(messenger.getValue(js.peerId(), utf8(key))).answer().get();
    KadRecord rec = got.record().orElseThrow();
    assertThat(new String(rec.value(), StandardCharsets.UTF_8)).isEqualTo("js-value");
    assertThat(rec.timeReceived()).matches(TIME);

    KadMessenger.ValueReply none =
        await(messenger.getValue(js.peerId(), utf8(unique("absent")))).answer().get();
    assertThat(none.record()).isEmpty();
  }

  @Test
  void ourAddProviderIsListedByJs_andOurGetProvidersListsIt() throws Exception {
    String key = unique("java-provides");
    byte[] mh = providerKey(key);
    KadPeer self = new KadPeer(host.peerId(), List.of(hostAddr));
    assertThat(await(messenger.addProvider(js.peerId(), mh, self)).isOk()).isTrue();
    // ADD_PROVIDER has no answer: js may still be handling it
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> {
              JsonNode found = js.get("/providers?mhHex=" + HEX.formatHex(mh) + "&timeoutMs=3000");
              assertThat(ids(found.get("providers")))
                  .as(found.toString())
                  .contains(host.peerId().toBase58());
            });

    KadMessenger.ProvidersReply reply =
        await(messenger.getProviders(js.peerId(), mh)).answer().get();
    assertThat(reply.providers()).extracting(KadPeer::id).containsExactly(host.peerId());
    assertThat(reply.providers().get(0).addrs()).contains(hostAddr);
  }

  @Test
  void ourFindNodeGetsJsCloserPeers() throws Exception {
    PeerId jsId = js.peerId();
    List<KadPeer> self = await(messenger.findNode(jsId, jsId.toBytes())).answer().get();
    assertThat(self).extracting(KadPeer::id).contains(jsId);
    assertThat(self.stream().filter(p -> p.id().equals(jsId)).findFirst().get().addrs())
        .contains(js.addr().withoutPeerId());
    // js leaves the requester (us) out; a second node of ours that js knows is returned
    try (Host other =
        Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate())) {
      Multiaddr otherAddr =
          other.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
      other.setHandler(protocol, handler);
      JsonNode dial =
          js.post("/dial", "{\"addr\":\"" + otherAddr.withPeerId(other.peerId()) + "\"}");
      assertThat(dial.path("inRoutingTable").asBoolean()).as(dial.toString()).isTrue();
      List<KadPeer> closer =
          await(messenger.findNode(jsId, IdentityKey.generate().peerId().toBytes())).answer().get();
      assertThat(closer).contains(new KadPeer(other.peerId(), List.of(otherAddr)));
      assertThat(closer).extracting(KadPeer::id).doesNotContain(host.peerId());
      js.post("/hangup", "{\"peerId\":\"" + other.peerId() + "\"}");
    }
  }

  @Test
  void ourKadPingIsEchoedByJs() throws Exception {
    assertThat(await(messenger.ping(js.peerId()))).isInstanceOf(KadResult.Ok.class);
  }

  static List<String> ids_(JsonNode texts) {
    List<String> out = new ArrayList<>();
    texts.forEach(t -> out.add(t.asString()));
    return out;
  }
}
