package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network node stopped and restarted on the same data directory serves its records and provider
 * records from disk: its own and those other peers stored on it. The node that wrote the others is
 * gone and nothing is republished, so only the restarted node can answer.
 */
@Tag("cluster")
class NetworkRestartTest {
  @TempDir Path root;
  final List<NetworkDht> open = new ArrayList<>();

  @AfterEach
  void stop() {
    open.forEach(NetworkNodes::closeQuietly);
  }

  NetworkDht start(String dir, IdentityKey identity) throws Exception {
    NetworkDht n = NetworkNodes.start(root.resolve(dir), identity);
    open.add(n);
    return n;
  }

  @Test
  void recordsAndProviderRecordsAreServedFromDiskAfterARestart() throws Exception {
    IdentityKey keeperId = IdentityKey.generate();
    NetworkDht keeper = start("keeper", keeperId);
    NetworkDht writer = start("writer", IdentityKey.generate());
    writer.bootstrap(List.of(NetworkNodes.addr(keeper))).get(30, TimeUnit.SECONDS);
    PeerId writerId = writer.host().peerId();

    String theirs = "ucxl://writer/qa_engineer/restart/task/theirs.txt";
    String ours = "ucxl://keeper/qa_engineer/restart/task/ours.txt";
    DhtBackend.PutResult put =
        writer.putValue(NetworkNodes.key(theirs), NetworkNodes.envelope(theirs, "from the writer"));
    assertThat(put.replicas()).as("the keeper took the writer's PUT_VALUE").isEqualTo(2);
    writer.provide(NetworkNodes.key(theirs));
    keeper.putValue(NetworkNodes.key(ours), NetworkNodes.envelope(ours, "from the keeper"));
    keeper.provide(NetworkNodes.key(ours));

    // both stop; only the keeper comes back, on the same data directory and identity
    NetworkNodes.closeQuietly(writer);
    NetworkNodes.closeQuietly(keeper);
    open.clear();
    NetworkDht restarted = start("keeper", keeperId);
    assertThat(restarted.stats().totalKeys()).isEqualTo(2);

    // a fresh node, which never saw any of it, asks the network
    NetworkDht reader = start("reader", IdentityKey.generate());
    int table = reader.bootstrap(List.of(NetworkNodes.addr(restarted))).get(30, TimeUnit.SECONDS);
    assertThat(table).isEqualTo(1);

    for (String[] c : new String[][] {{theirs, "from the writer"}, {ours, "from the keeper"}}) {
      byte[] key = NetworkNodes.key(c[0]).getBytes(StandardCharsets.UTF_8);
      GetResult got = reader.dht().getValue(key, 1).get(30, TimeUnit.SECONDS);
      assertThat(got).as(c[0]).isInstanceOf(GetResult.Found.class);
      byte[] ciphertext =
          NetworkNodes.CODEC
              .decodeAndVerify(
                  NetworkNodes.key(c[0]),
                  ((GetResult.Found) got).value(),
                  org.chorus.dht.testing.TestRoles.AUTHORITY)
              .ciphertext();
      assertThat(Arrays.equals(ciphertext, c[1].getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    List<KadPeer> theirProviders =
        reader
            .dht()
            .findProviders(NetworkNodes.key(theirs).getBytes(StandardCharsets.UTF_8), 1)
            .get(30, TimeUnit.SECONDS);
    assertThat(theirProviders).extracting(KadPeer::id).containsExactly(writerId);
    List<KadPeer> ourProviders =
        reader
            .dht()
            .findProviders(NetworkNodes.key(ours).getBytes(StandardCharsets.UTF_8), 1)
            .get(30, TimeUnit.SECONDS);
    assertThat(ourProviders).extracting(KadPeer::id).containsExactly(keeperId.peerId());
    System.out.printf(
        "restart: %d records and 2 provider keys served from disk by the restarted node%n",
        restarted.stats().totalKeys());
  }
}
