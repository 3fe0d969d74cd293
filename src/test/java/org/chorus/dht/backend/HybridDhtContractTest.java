package org.chorus.dht.backend;

import java.nio.file.Path;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on a {@link HybridDht} whose network is up. */
class HybridDhtContractTest extends DhtBackendContract {

  @TempDir Path dir;

  @Override
  protected DhtBackend newBackend() {
    SteppingClock clock = new SteppingClock();
    return new HybridDht(
        new FlakyNetwork(dir.resolve("network"), clock),
        LocalDht.open(LocalDhtConfig.builder(dir.resolve("local"), "12D3KooWLocal").build(), clock),
        PendingPushQueue.open(dir.resolve("local").resolve(PendingPushQueue.FILE_NAME)),
        HybridDht.NetworkProbe.ROUTING_TABLE,
        HybridDht.Config.DEFAULT,
        clock);
  }
}
