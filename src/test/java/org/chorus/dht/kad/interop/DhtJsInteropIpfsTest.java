package org.chorus.dht.kad.interop;

import org.chorus.dht.kad.rpc.KadRpc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Our Dht facade against js kad-dht on {@code /ipfs/kad/1.0.0}. */
@Tag("interop")
class DhtJsInteropIpfsTest extends DhtJsInteropContract {
  @BeforeAll
  static void startPeers() throws Exception {
    start(KadRpc.IPFS_PREFIX);
  }
}
