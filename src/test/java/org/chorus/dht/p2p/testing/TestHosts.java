package org.chorus.dht.p2p.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;

/** N hosts in one JVM on the memory transport, each listening; close them with {@link #close}. */
public final class TestHosts implements AutoCloseable {
  public final List<Host> hosts = new ArrayList<>();
  public final List<Multiaddr> addrs = new ArrayList<>();

  /** {@code n} listening hosts; host i has dialled every host j < i when {@code mesh} is set. */
  public static TestHosts start(int n, boolean mesh) throws Exception {
    TestHosts t = new TestHosts();
    HostConfig config = HostConfig.builder().ioThreads(1).build();
    for (int i = 0; i < n; i++) {
      Host h = Host.create(config, IdentityKey.generate());
      t.hosts.add(h);
      t.addrs.add(
          h.listen(Multiaddr.parse("/memory/0")).get(10, TimeUnit.SECONDS).withPeerId(h.peerId()));
      if (mesh) {
        for (int j = 0; j < i; j++) {
          h.dial(t.addrs.get(j)).get(10, TimeUnit.SECONDS);
        }
      }
    }
    return t;
  }

  @Override
  public void close() {
    hosts.forEach(Host::close);
  }
}
