package org.chorus.dht.kad.routing;

import java.util.SortedMap;

/**
 * A snapshot of a {@link RoutingTable}.
 *
 * @param size peers in buckets
 * @param replacements candidates waiting in replacement caches
 * @param perBucket peers per non-empty bucket, keyed by bucket index (common prefix length)
 */
public record RoutingTableStats(int size, int replacements, SortedMap<Integer, Integer> perBucket) {

  public RoutingTableStats {
    perBucket = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(perBucket));
  }
}
