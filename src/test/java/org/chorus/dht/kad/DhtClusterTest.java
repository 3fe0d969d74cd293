package org.chorus.dht.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sixteen of our nodes in one JVM on loopback TCP, each bootstrapped to node 0: values, providers,
 * peers and closest peers across the cluster, then again with five nodes closed.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhtClusterTest {
  static final int NODES = 16;
  static final int KILLED = 5;
  static final byte[] KEY = "/CHORUS/ucxl/cluster-key".getBytes(StandardCharsets.UTF_8);
  static final byte[] VALUE = "hello cluster".getBytes(StandardCharsets.UTF_8);

  static final List<Host> hosts = new ArrayList<>();
  static final List<Dht> dhts = new ArrayList<>();
  static final List<Multiaddr> addrs = new ArrayList<>();
  static final List<Integer> live = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // every node dials from 127.0.0.1: more than the default per-IP inbound cap (8)
    HostConfig config =
        HostConfig.builder()
            .ioThreads(1)
            .limits(ConnectionLimits.builder().maxInboundPerIp(64).build())
            .build();
    KadConfig kad = KadConfig.builder().queryTimeout(java.time.Duration.ofSeconds(15)).build();
    for (int i = 0; i < NODES; i++) {
      Host h = Host.create(config, IdentityKey.generate());
      Multiaddr a = h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
      Clock clock = Clock.systemUTC();
      Dht d =
          new Dht(
              h,
              kad,
              new InMemoryRecordStore(clock),
              new InMemoryProviderStore(clock),
              NamespacedValidator.permissiveChorus(),
              clock,
              QueryTimer.SYSTEM);
      d.start();
      hosts.add(h);
      dhts.add(d);
      addrs.add(a);
      live.add(i);
    }
    // half the bootstraps name the peer id, half do not
    for (int i = 1; i < NODES; i++) {
      Multiaddr boot = i % 2 == 0 ? addrs.get(0).withPeerId(hosts.get(0).peerId()) : addrs.get(0);
      dhts.get(i).bootstrap(List.of(boot)).get(20, TimeUnit.SECONDS);
    }
    // a second self-lookup round fills the tables of the early joiners
    List<CompletableFuture<Void>> refreshes = new ArrayList<>();
    for (Dht d : dhts) {
      refreshes.add(d.refresh());
    }
    CompletableFuture.allOf(refreshes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    dhts.forEach(Dht::close);
    hosts.forEach(Host::close);
  }

  @Test
  @Order(1)
  void everyNodeIsBootstrapped() {
    for (int i = 1; i < NODES; i++) {
      DhtStats s = dhts.get(i).stats();
      assertThat(s.bootstrapped()).isTrue();
      assertThat(s.routingTableSize()).isGreaterThanOrEqualTo(NODES / 2);
    }
  }

  @Test
  @Order(2)
  void putOnOneNodeGetOnAnother() throws Exception {
    Dht.PutResult put = dhts.get(3).putValue(KEY, VALUE).get(20, TimeUnit.SECONDS);
    assertThat(put.accepted()).isGreaterThanOrEqualTo(NODES - 2);
    GetResult got = dhts.get(11).getValue(KEY, 3).get(20, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) got).value()).isEqualTo(VALUE);
    assertThat(((GetResult.Found) got).responders()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @Order(3)
  void missingKeyIsNotFound() throws Exception {
    byte[] missing = "/CHORUS/ucxl/nobody-has-this".getBytes(StandardCharsets.UTF_8);
    assertThat(dhts.get(5).getValue(missing, 1).get(20, TimeUnit.SECONDS))
        .isInstanceOf(GetResult.NotFound.class);
  }

  @Test
  @Order(4)
  void provideOnOneNodeFindProvidersFromAnother() throws Exception {
    byte[] key = "/CHORUS/ucxl/provided".getBytes(StandardCharsets.UTF_8);
    assertThat(dhts.get(7).provide(key).get(20, TimeUnit.SECONDS)).isGreaterThan(0);
    List<KadPeer> found = dhts.get(13).findProviders(key, 1).get(20, TimeUnit.SECONDS);
    assertThat(found).extracting(KadPeer::id).containsExactly(hosts.get(7).peerId());
    assertThat(found.get(0).addrs()).contains(addrs.get(7));
  }

  @Test
  @Order(5)
  void findPeer() throws Exception {
    Optional<KadPeer> p = dhts.get(2).findPeer(hosts.get(14).peerId()).get(20, TimeUnit.SECONDS);
    assertThat(p).isPresent();
    assertThat(p.get().addrs()).contains(addrs.get(14));
  }

  @Test
  @Order(6)
  void getClosestPeersReturnsTheTrueClosest() throws Exception {
    byte[] key = "/CHORUS/ucxl/closest".getBytes(StandardCharsets.UTF_8);
    List<PeerId> got = dhts.get(4).getClosestPeers(key).get(20, TimeUnit.SECONDS);
    assertThat(got).containsExactlyElementsOf(trueClosest(key, 4, 20));
  }

  @Test
  @Order(7)
  void getStillWorksWithFiveNodesClosed() throws Exception {
    // close five nodes, among them two holders (every node holds the value), never node 11
    int[] kill = {1, 3, 6, 9, 12};
    for (int i : kill) {
      dhts.get(i).close();
      hosts.get(i).close();
      live.remove(Integer.valueOf(i));
    }
    assertThat(live).hasSize(NODES - KILLED);
    GetResult got = dhts.get(11).getValue(KEY, 3).get(30, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) got).value()).isEqualTo(VALUE);
    GetResult fromAnother = dhts.get(15).getValue(KEY, NODES).get(30, TimeUnit.SECONDS);
    assertThat(fromAnother).isInstanceOf(GetResult.Found.class);
    byte[] key = "/CHORUS/ucxl/closest-after-churn".getBytes(StandardCharsets.UTF_8);
    List<PeerId> closest = dhts.get(8).getClosestPeers(key).get(30, TimeUnit.SECONDS);
    assertThat(closest).containsExactlyElementsOf(trueClosest(key, 8, 20));
    // the lookups contacted every peer node 8 knew: the closed ones left its table
    for (int i : kill) {
      assertThat(dhts.get(8).routingTable().contains(hosts.get(i).peerId())).isFalse();
    }
    assertThat(dhts.get(8).stats().routingTableSize()).isLessThanOrEqualTo(NODES - KILLED - 1);
  }

  /** The k closest live nodes to {@code key}, excluding the asking node. */
  static List<PeerId> trueClosest(byte[] key, int asker, int k) {
    KadKey target = KadKey.ofRecordKey(key);
    return live.stream()
        .filter(i -> i != asker)
        .map(i -> hosts.get(i).peerId())
        .sorted(Comparator.comparing((PeerId p) -> KadKey.of(p).distance(target)))
        .limit(k)
        .toList();
  }
}
