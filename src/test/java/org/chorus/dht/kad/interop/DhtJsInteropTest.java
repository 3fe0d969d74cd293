package org.chorus.dht.kad.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.testing.JsPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Our {@link Dht} against js kad-dht on {@code /CHORUS/kad/1.0.0}: values and providers. */
@Tag("interop")
class DhtJsInteropTest {
  static JsPeer js;
  static Host host;
  static Dht dht;

  @BeforeAll
  static void start() throws Exception {
    if (!JsPeer.nodeAvailable()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("node (>= 20.19) and npm are required for interop tests");
      }
      assumeTrue(false, "node is not installed");
    }
    js = JsPeer.start("--protocol", KadConfig.defaults().protocolId());
    host = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    Clock clock = Clock.systemUTC();
    dht =
        new Dht(
            host,
            KadConfig.defaults(),
            new InMemoryRecordStore(clock),
            new InMemoryProviderStore(clock),
            NamespacedValidator.permissiveChorus(),
            clock,
            QueryTimer.SYSTEM);
    dht.start();
    assertThat(dht.bootstrap(List.of(js.addr())).get(20, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (dht != null) {
      dht.close();
    }
    if (host != null) {
      host.close();
    }
    if (js != null) {
      js.close();
    }
  }

  static String unique(String what) {
    return "/CHORUS/ucxl/" + what + "-" + System.nanoTime();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ourPutValueIsReturnedByJsGet() throws Exception {
    String key = unique("dht-put");
    Dht.PutResult put = dht.putValue(utf8(key), utf8("from-our-dht")).get(20, TimeUnit.SECONDS);
    assertThat(put.accepted()).isEqualTo(1);
    JsonNode get = js.get("/get?key=" + JsPeer.q(key) + "&timeoutMs=5000");
    assertThat(get.path("found").asBoolean()).as(get.toString()).isTrue();
    assertThat(get.get("valueUtf8").asString()).isEqualTo("from-our-dht");
  }

  @Test
  void jsPutIsReturnedByOurGetValue() throws Exception {
    String key = unique("js-put");
    // localOnly: js holds it and sends nothing, so our GET_VALUE has to fetch it
    JsonNode put =
        js.post("/put", "{\"key\":\"" + key + "\",\"value\":\"from-js\",\"localOnly\":true}");
    assertThat(put.path("ok").asBoolean()).as(put.toString()).isTrue();
    GetResult got = dht.getValue(utf8(key), 1).get(20, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(new String(((GetResult.Found) got).value(), StandardCharsets.UTF_8))
        .isEqualTo("from-js");
  }

  @Test
  void ourProvideIsFoundByJsProviders() throws Exception {
    String key = unique("dht-provides");
    assertThat(dht.provide(utf8(key)).get(20, TimeUnit.SECONDS)).isEqualTo(1);
    JsonNode found = null;
    for (int i = 0; i < 50; i++) {
      found = js.get("/providers?key=" + JsPeer.q(key) + "&timeoutMs=3000");
      if (ids(found.get("providers")).contains(host.peerId().toBase58())) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(ids(found.get("providers"))).as(found.toString()).contains(host.peerId().toBase58());
  }

  static List<String> ids(JsonNode peers) {
    List<String> out = new ArrayList<>();
    peers.forEach(p -> out.add(p.get("peerId").asString()));
    return out;
  }
}
