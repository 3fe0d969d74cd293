package org.chorus.dht.kad.rpc;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.chorus.dht.kad.wire.KadPeer;

/**
 * A test stand-in for the routing table: every known peer, sorted by XOR distance of SHA-256 ids
 * (the kad-core branch has the real one).
 */
final class XorClosestPeers implements ClosestPeers {
  final List<KadPeer> known = new CopyOnWriteArrayList<>();

  static byte[] kadId(byte[] key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static int compareDistance(byte[] target, byte[] a, byte[] b) {
    for (int i = 0; i < target.length; i++) {
      int da = (a[i] ^ target[i]) & 0xFF;
      int db = (b[i] ^ target[i]) & 0xFF;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
  }

  @Override
  public List<KadPeer> closest(byte[] key, int n) {
    byte[] target = kadId(key);
    Comparator<KadPeer> byDistance =
        (p, q) -> compareDistance(target, kadId(p.id().toBytes()), kadId(q.id().toBytes()));
    return known.stream().sorted(byDistance).limit(n).toList();
  }
}
