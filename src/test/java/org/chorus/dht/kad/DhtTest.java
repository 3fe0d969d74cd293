package org.chorus.dht.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A few of our nodes on loopback TCP: server and client mode, entry correction, validation. */
class DhtTest {

  /** Accepts values not starting with "bad"; selects the lexicographically greatest. */
  static final RecordValidator LATEST =
      new RecordValidator() {
        @Override
        public void validate(byte[] key, byte[] value) {
          if (new String(value, StandardCharsets.UTF_8).startsWith("bad")) {
            throw new InvalidRecordException("failed to validate: bad value");
          }
        }

        @Override
        public int select(byte[] key, List<byte[]> values) {
          int best = 0;
          for (int i = 1; i < values.size(); i++) {
            if (Arrays.compare(values.get(i), values.get(best)) > 0) {
              best = i;
            }
          }
          return best;
        }
      };

  final List<Host> hosts = new ArrayList<>();
  final List<Dht> dhts = new ArrayList<>();
  final List<InMemoryRecordStore> stores = new ArrayList<>();
  final List<Multiaddr> addrs = new ArrayList<>();

  Dht node(KadConfig.Mode mode) throws Exception {
    Host h = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    addrs.add(
        h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .get(10, TimeUnit.SECONDS)
            .withPeerId(h.peerId()));
    Clock clock = Clock.systemUTC();
    InMemoryRecordStore store = new InMemoryRecordStore(clock);
    Dht d =
        new Dht(
            h,
            KadConfig.builder().mode(mode).build(),
            store,
            new InMemoryProviderStore(clock),
            LATEST,
            clock,
            QueryTimer.SYSTEM);
    d.start();
    hosts.add(h);
    dhts.add(d);
    stores.add(store);
    return d;
  }

  @AfterEach
  void stop() {
    dhts.forEach(Dht::close);
    hosts.forEach(Host::close);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aClientUsesTheDhtButIsNotAddedToServersTables() throws Exception {
    Dht s0 = node(KadConfig.Mode.SERVER);
    Dht s1 = node(KadConfig.Mode.SERVER);
    Dht client = node(KadConfig.Mode.CLIENT);
    assertThat(s1.bootstrap(List.of(addrs.get(0))).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(client.bootstrap(List.of(addrs.get(0))).get(10, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(hosts.get(2).protocols()).doesNotContain(client.protocol());
    assertThat(s0.routingTable().contains(hosts.get(2).peerId())).isFalse();
    assertThat(s1.routingTable().contains(hosts.get(2).peerId())).isFalse();
    assertThat(s0.routingTable().contains(hosts.get(1).peerId())).isTrue();

    byte[] key = utf8("/CHORUS/ucxl/from-client");
    assertThat(client.putValue(key, utf8("v1")).get(10, TimeUnit.SECONDS).accepted()).isEqualTo(2);
    assertThat(s1.getValue(key, 2).get(10, TimeUnit.SECONDS)).isInstanceOf(GetResult.Found.class);
    assertThat(client.stats().bootstrapped()).isTrue();
    assertThat(client.stats().records()).isEqualTo(1);
  }

  @Test
  void getValueSelectsTheBestAndCorrectsStaleHolders() throws Exception {
    for (int i = 0; i < 4; i++) {
      node(KadConfig.Mode.SERVER);
    }
    for (int i = 1; i < 4; i++) {
      dhts.get(i).bootstrap(List.of(addrs.get(0))).get(10, TimeUnit.SECONDS);
    }
    byte[] key = utf8("/CHORUS/ucxl/versions");
    assertThat(dhts.get(0).putValue(key, utf8("a-old")).get(10, TimeUnit.SECONDS).accepted())
        .isEqualTo(3);
    stores.get(1).put(new KadRecord(key, utf8("z-new")));
    stores.get(2).remove(key);

    GetResult got = dhts.get(3).getValue(key, 4).get(10, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) got).value()).isEqualTo(utf8("z-new"));
    // node 3 held "a-old" itself: replaced locally; nodes 0 (stale) and 2 (none) get a PUT
    assertThat(stores.get(3).get(key).map(KadRecord::value)).contains(utf8("z-new"));
    // the correcting PUT_VALUEs are sent without waiting for their echo: wait (bounded) for them
    for (int i : new int[] {0, 2}) {
      int n = i;
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(
              () ->
                  assertThat(stores.get(n).get(key).map(KadRecord::value))
                      .as("node " + n)
                      .contains(utf8("z-new")));
    }
  }

  @Test
  void refreshLooksUpEveryDueBucket() throws Exception {
    for (int i = 0; i < 3; i++) {
      node(KadConfig.Mode.SERVER);
    }
    for (int i = 1; i < 3; i++) {
      dhts.get(i).bootstrap(List.of(addrs.get(0))).get(10, TimeUnit.SECONDS);
    }
    Dht d = dhts.get(2);
    long interval = KadConfig.DEFAULT_REFRESH_INTERVAL.toMillis();
    assertThat(d.routingTable().bucketsDueForRefresh(QueryTimer.SYSTEM.nowMillis(), interval))
        .isNotEmpty();
    d.refresh().get(10, TimeUnit.SECONDS);
    assertThat(d.routingTable().bucketsDueForRefresh(QueryTimer.SYSTEM.nowMillis(), interval))
        .isEmpty();
    assertThat(d.stats().routingTableSize()).isEqualTo(2);
  }

  @Test
  void anInvalidValueIsNotPut() throws Exception {
    Dht d = node(KadConfig.Mode.SERVER);
    Dht.PutResult put = d.putValue(utf8("/CHORUS/ucxl/x"), utf8("bad value")).get();
    assertThat(put).isEqualTo(Dht.PutResult.refused());
    assertThat(put.valid()).isFalse();
    assertThat(d.stats().records()).isZero();
    assertThat(d.getValue(utf8("/CHORUS/ucxl/x"), 1).get(10, TimeUnit.SECONDS))
        .isInstanceOf(GetResult.NotFound.class);
  }
}
