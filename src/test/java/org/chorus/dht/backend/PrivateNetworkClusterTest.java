package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two private networks of our own network nodes on loopback (real TCP, persistent stores, signed
 * envelopes), four nodes with key A and three with key B: each forms a DHT of its own, values
 * written in one are read in it and not in the other, and no node ever holds a connection to, or a
 * routing-table entry of, a node of the other network, even after dialling it.
 */
@Tag("cluster")
class PrivateNetworkClusterTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final SwarmKey A = SwarmKey.generate();
  static final SwarmKey B = SwarmKey.generate();

  @TempDir static Path root;
  static final List<NetworkDht> a = new ArrayList<>();
  static final List<NetworkDht> b = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    startNetwork("a", 4, A, a);
    startNetwork("b", 3, B, b);
  }

  static void startNetwork(String name, int n, SwarmKey key, List<NetworkDht> nodes)
      throws Exception {
    HostConfig host = HostConfig.builder().ioThreads(1).swarmKey(key).build();
    for (int i = 0; i < n; i++) {
      nodes.add(
          NetworkNodes.start(
              root.resolve(name + "-" + i),
              IdentityKey.generate(),
              NetworkNodes.KAD,
              NetworkNodes.OPERATION_TIMEOUT,
              QueryTimer.SYSTEM,
              host));
    }
    for (int i = 1; i < n; i++) {
      nodes
          .get(i)
          .bootstrap(List.of(NetworkNodes.addr(nodes.get(0))))
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    for (NetworkDht node : nodes) {
      node.refresh().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @AfterAll
  static void stop() {
    a.forEach(NetworkNodes::closeQuietly);
    b.forEach(NetworkNodes::closeQuietly);
  }

  static Set<PeerId> ids(List<NetworkDht> nodes) {
    return nodes.stream().map(n -> n.host().peerId()).collect(Collectors.toSet());
  }

  @Test
  void eachKeyFormsItsOwnDht() throws Exception {
    // every node knows the other members of its network
    for (List<NetworkDht> net : List.of(a, b)) {
      for (NetworkDht node : net) {
        Set<PeerId> others = ids(net);
        others.remove(node.host().peerId());
        assertThat(node.dht().routingTable().peers()).containsExactlyInAnyOrderElementsOf(others);
      }
    }

    String address = "ucxl://agent001/qa_engineer/pnet/task/in-a.txt";
    String key = NetworkNodes.key(address);
    DhtBackend.PutResult put = a.get(1).putValue(key, NetworkNodes.envelope(address, "only in A"));
    assertThat(put.replicas()).isGreaterThan(1);
    assertThat(a.get(3).getValue(key)).isPresent();
    for (NetworkDht node : b) {
      assertThat(node.getValue(key)).as("read in network B").isEmpty();
    }
  }

  @Test
  void aNodeOfTheOtherNetworkCannotBeDialledNorDialIn() throws Exception {
    NetworkDht outsider = b.get(1);
    long refusedBefore = a.get(0).host().privateNetworkRefused();
    // the outsider bootstraps from two nodes of A: nothing of A enters its table (checked below)
    outsider
        .bootstrap(List.of(NetworkNodes.addr(a.get(0)), NetworkNodes.addr(a.get(2))))
        .handle((n, e) -> n)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    for (NetworkDht node : a) {
      assertThat(node.host().dial(NetworkNodes.addr(outsider)).handle((c, e) -> e).join())
          .hasMessageContaining("private network:");
    }
    assertThat(a.get(0).host().privateNetworkRefused()).isGreaterThan(refusedBefore);

    Set<PeerId> inB = ids(b);
    Set<PeerId> inA = ids(a);
    for (NetworkDht node : a) {
      assertThat(node.host().connections())
          .map(Connection::remotePeer)
          .doesNotContainAnyElementsOf(inB);
      assertThat(node.dht().routingTable().peers()).doesNotContainAnyElementsOf(inB);
    }
    for (NetworkDht node : b) {
      assertThat(node.host().connections())
          .map(Connection::remotePeer)
          .doesNotContainAnyElementsOf(inA);
      assertThat(node.dht().routingTable().peers()).doesNotContainAnyElementsOf(inA);
    }
  }
}
