package org.chorus.dht.replication;

import java.time.Instant;
import java.util.List;

/**
 * The replication status of one key, counted live: {@code actual} is how many nodes returned the
 * current value when asked just now (this node included), never an estimate.
 *
 * @param key the DHT key
 * @param tracked whether this node's replication manager schedules the key
 * @param backend backend name ({@code network}, {@code local})
 * @param target wanted copies
 * @param actual live copies of the current value, this node's included
 * @param holders peer ids that returned the current value
 * @param healthyProviders providers that answered and hold the value (quality 1)
 * @param health see {@link ReplicationHealth}
 * @param lastReplicated last time copies were sent, null if never
 * @param lastReprovided last republish/reprovide, null if never
 * @param nextDue next scheduled run, null if not tracked
 * @param failures consecutive failed repairs
 * @param providers provider records, closest to the key first
 */
public record ReplicationStatus(
    String key,
    boolean tracked,
    String backend,
    int target,
    int actual,
    List<String> holders,
    int healthyProviders,
    String health,
    Instant lastReplicated,
    Instant lastReprovided,
    Instant nextDue,
    int failures,
    List<ProviderStatus> providers) {

  public ReplicationStatus {
    holders = List.copyOf(holders);
    providers = List.copyOf(providers);
  }

  /**
   * One provider of the key.
   *
   * @param addedAt when its provider record was added or refreshed (known for records this node
   *     holds), else null
   * @param lastSeen when it last answered: the time of this status if it answered the lookup, else
   *     null
   * @param quality 1 = answered and holds the current value, 0.5 = answered without it, 0 = did not
   *     answer the lookup
   * @param xorDistance hex XOR distance between the peer's kad key and the key's provider key
   * @param commonPrefixLength leading bits shared with the key (higher = closer)
   */
  public record ProviderStatus(
      String peerId,
      List<String> addresses,
      Instant addedAt,
      Instant lastSeen,
      double quality,
      String xorDistance,
      int commonPrefixLength) {
    public ProviderStatus {
      addresses = List.copyOf(addresses);
    }
  }
}
