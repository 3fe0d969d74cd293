package org.chorus.dht.kad.records;

import java.util.HashMap;
import java.util.Map;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The tally behind {@link RecordStore.Quota}: records and bytes charged to each peer. At most one
 * entry per peer that has a record charged to it, so bounded by the store's record cap. Not
 * thread-safe: the store calls it under its own lock.
 */
final class Charges {
  private final Map<PeerId, long[]> byPeer = new HashMap<>();

  /** Whether one more record of {@code bytes} fits {@code peer}'s quota. */
  boolean fits(PeerId peer, long bytes, RecordStore.Quota quota) {
    long[] u = byPeer.get(peer);
    long records = u == null ? 0 : u[0];
    long used = u == null ? 0 : u[1];
    return records + 1 <= quota.maxRecords() && bytes <= quota.maxBytes() - used;
  }

  void charge(PeerId peer, long bytes) {
    long[] u = byPeer.computeIfAbsent(peer, p -> new long[2]);
    u[0]++;
    u[1] += bytes;
  }

  void release(PeerId peer, long bytes) {
    long[] u = byPeer.get(peer);
    if (u == null) {
      return;
    }
    u[0]--;
    u[1] -= bytes;
    if (u[0] <= 0) {
      byPeer.remove(peer);
    }
  }

  /** A held key charged to {@code peer} now has {@code newBytes} instead of {@code oldBytes}. */
  void resize(PeerId peer, long oldBytes, long newBytes) {
    long[] u = byPeer.get(peer);
    if (u != null) {
      u[1] += newBytes - oldBytes;
    }
  }

  RecordStore.Usage usage(PeerId peer) {
    long[] u = byPeer.get(peer);
    return u == null ? RecordStore.Usage.NONE : new RecordStore.Usage((int) u[0], u[1]);
  }

  void clear() {
    byPeer.clear();
  }

  /** The bytes a record is charged with: its key and its value. */
  static long bytesOf(byte[] key, byte[] value) {
    return (long) key.length + value.length;
  }
}
