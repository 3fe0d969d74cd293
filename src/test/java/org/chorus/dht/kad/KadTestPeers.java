package org.chorus.dht.kad;

import java.util.List;
import java.util.Random;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/** Seeded peer ids and addresses for kad tests and the simulation. */
public final class KadTestPeers {

  private KadTestPeers() {}

  /** A peer id with a random sha2-256 multihash. */
  public static PeerId randomPeer(Random rnd) {
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 0x20;
    for (int i = 2; i < mh.length; i++) {
      mh[i] = (byte) rnd.nextInt(256);
    }
    return PeerId.fromBytes(mh);
  }

  /** {@code /ip4/a.b.c.d/tcp/4001}. */
  public static List<Multiaddr> ip4(int a, int b, int c, int d) {
    return List.of(Multiaddr.parse("/ip4/" + a + "." + b + "." + c + "." + d + "/tcp/4001"));
  }

  /** A random public IPv4 address (outside the exempt ranges), drawn from {@code groups} /16s. */
  public static List<Multiaddr> publicIp4(Random rnd, int groups) {
    int g = rnd.nextInt(groups);
    return ip4(20 + g / 256, g % 256, rnd.nextInt(256), 1 + rnd.nextInt(254));
  }
}
