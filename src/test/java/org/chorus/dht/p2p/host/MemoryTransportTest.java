package org.chorus.dht.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.protocol.identify.IdentifyInfo;
import org.chorus.dht.p2p.testing.Echo;
import org.chorus.dht.p2p.testing.Pings;
import org.chorus.dht.p2p.testing.TestHosts;
import org.junit.jupiter.api.Test;

/** The full stack (multistream, Noise, Yamux, identify, ping) over the in-process transport. */
class MemoryTransportTest {
  @Test
  void meshOfHostsOverMemory() throws Exception {
    try (TestHosts t = TestHosts.start(4, true)) {
      Host last = t.hosts.get(3);
      assertThat(last.connections()).hasSize(3);
      Connection c = last.connections(t.hosts.get(0).peerId()).get(0);
      IdentifyInfo info = last.identified(c).get(10, TimeUnit.SECONDS);
      assertThat(info.listenAddrs()).contains(t.addrs.get(0).withoutPeerId());
      assertThat(c.remoteAddress().toString()).startsWith("/memory/");
      Pings.roundTrip(last, c);
      t.hosts.get(0).setHandler(Echo.PROTOCOL, Echo.handler());
      assertThat(HostLoopbackTest.echoStreams(c, 10, 100_000)).isEqualTo(10);
    }
  }

  @Test
  void memoryAddressesRoundTrip() {
    Multiaddr m = Multiaddr.parse("/memory/1234");
    assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
    assertThat(m.toBytes()).hasSize(2 + 8);
  }
}
