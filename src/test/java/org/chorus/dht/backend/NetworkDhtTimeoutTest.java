package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.ManualQueryTimer;
import org.chorus.dht.testing.NetworkNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend operation that times out stops the lookup under it: the peer it asked never answers
 * (its kad handler takes the stream and stays silent, so only the RPC timeout would end the
 * request), the backend gives up after its operation timeout, and the node's query slot is free
 * again without the RPC timeout: the asker's kad timer is a {@link ManualQueryTimer} the test never
 * advances, so no RPC timeout or query wake can fire and only the cancel can end the lookup.
 */
class NetworkDhtTimeoutTest {

  static final Duration OPERATION_TIMEOUT = Duration.ofMillis(500);

  @TempDir Path root;
  NetworkDht asker;
  NetworkDht silent;

  @AfterEach
  void close() {
    if (asker != null) {
      NetworkNodes.closeQuietly(asker);
    }
    if (silent != null) {
      NetworkNodes.closeQuietly(silent);
    }
  }

  @Test
  void aTimedOutGetCancelsItsLookup() throws Exception {
    KadConfig kad = NetworkNodes.KAD;
    ManualQueryTimer askerTimer = new ManualQueryTimer();
    silent = NetworkNodes.start(root.resolve("silent"), IdentityKey.generate(), kad);
    asker =
        NetworkNodes.start(
            root.resolve("asker"), IdentityKey.generate(), kad, OPERATION_TIMEOUT, askerTimer);
    asker.bootstrap(List.of(NetworkNodes.addr(silent))).get(30, TimeUnit.SECONDS);
    assertThat(asker.dht().routingTable().size()).isEqualTo(1);
    silent
        .host()
        .setHandler(silent.dht().protocol(), stream -> {}); // takes requests, never answers

    assertThatThrownBy(() -> asker.getValue(NetworkNodes.key("ucxl://a/qa_engineer/p/t/absent")))
        .isInstanceOf(DhtBackendException.class)
        .hasMessageContaining("timed out");
    // askerTimer never moved, so no RPC timeout fired: only the backend's cancel can free the slot
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(asker.dht().runningQueries()).isZero());
  }
}
