package org.chorus.dht.backend;

import java.nio.file.Path;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.io.TempDir;

class LocalDhtContractTest extends DhtBackendContract {

  @TempDir Path dir;

  @Override
  protected DhtBackend newBackend() {
    return LocalDht.open(
        LocalDhtConfig.builder(dir, "12D3KooWContract").build(), new SteppingClock());
  }
}
