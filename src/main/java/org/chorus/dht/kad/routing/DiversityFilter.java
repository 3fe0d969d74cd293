package org.chorus.dht.kad.routing;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.p2p.core.Multiaddr;

/**
 * IP diversity limits of the routing table (DESIGN.md "Kademlia"): a peer is grouped by the /16
 * prefix of each of its public IPv4 addresses, and at most {@code maxPerGroupPerBucket} peers of
 * one group may sit in a bucket and {@code maxPerGroupPerTable} in the table. Why: a single network
 * block should not be able to fill a bucket (eclipse attack); go-libp2p-kbucket's {@code
 * peerdiversity} filter has the same intent. Loopback, private (RFC 1918), link-local,
 * carrier-grade NAT and "this network" addresses are exempt when {@code exemptPrivate}; IPv6, DNS
 * and memory addresses are not grouped. A peer with no groupable address is always allowed.
 *
 * <p>Not thread-safe: confined to its {@link RoutingTable}, which guards it with its lock.
 */
public final class DiversityFilter {

  static final int[] NO_GROUPS = new int[0];

  private final KadConfig.Diversity config;
  private final Map<Integer, Integer> tableCounts = new HashMap<>();
  private final Map<Long, Integer> bucketCounts = new HashMap<>();

  public DiversityFilter(KadConfig.Diversity config) {
    this.config = config;
  }

  /**
   * The distinct, sorted /16 groups ({@code a << 8 | b}) of the non-exempt IPv4 addresses; empty
   * when the filter is disabled or there are none.
   */
  public int[] groupsOf(Collection<Multiaddr> addrs) {
    if (!config.enabled() || addrs.isEmpty()) {
      return NO_GROUPS;
    }
    int[] groups = new int[addrs.size()];
    int n = 0;
    for (Multiaddr addr : addrs) {
      for (Multiaddr.Component c : addr.components()) {
        if (c.proto() == Multiaddr.Proto.IP4) {
          int group = group(c.value());
          if (group >= 0) {
            if (n == groups.length) {
              groups = Arrays.copyOf(groups, n * 2 + 1);
            }
            groups[n++] = group;
          }
        }
      }
    }
    return n == 0 ? NO_GROUPS : Arrays.stream(groups, 0, n).sorted().distinct().toArray();
  }

  /** The /16 group of a dotted IPv4 address, or -1 when exempt. */
  int group(String ipv4) {
    int dot1 = ipv4.indexOf('.');
    int dot2 = ipv4.indexOf('.', dot1 + 1);
    int a = Integer.parseInt(ipv4, 0, dot1, 10);
    int b = Integer.parseInt(ipv4, dot1 + 1, dot2, 10);
    if (config.exemptPrivate() && isExempt(a, b)) {
      return -1;
    }
    return a << 8 | b;
  }

  /** Loopback, RFC 1918, link-local, CGNAT (RFC 6598) and 0.0.0.0/8. */
  static boolean isExempt(int a, int b) {
    return a == 127
        || a == 10
        || a == 0
        || (a == 172 && b >= 16 && b <= 31)
        || (a == 192 && b == 168)
        || (a == 169 && b == 254)
        || (a == 100 && b >= 64 && b <= 127);
  }

  /** Whether a peer with these groups may join {@code bucket}. */
  boolean allows(int bucket, int[] groups) {
    for (int g : groups) {
      if (tableCounts.getOrDefault(g, 0) >= config.maxPerGroupPerTable()
          || bucketCounts.getOrDefault(key(bucket, g), 0) >= config.maxPerGroupPerBucket()) {
        return false;
      }
    }
    return true;
  }

  void add(int bucket, int[] groups) {
    for (int g : groups) {
      tableCounts.merge(g, 1, Integer::sum);
      bucketCounts.merge(key(bucket, g), 1, Integer::sum);
    }
  }

  void remove(int bucket, int[] groups) {
    for (int g : groups) {
      tableCounts.computeIfPresent(g, (k, v) -> v == 1 ? null : v - 1);
      bucketCounts.computeIfPresent(key(bucket, g), (k, v) -> v == 1 ? null : v - 1);
    }
  }

  /** Peers of {@code group} in the table. */
  int tableCount(int group) {
    return tableCounts.getOrDefault(group, 0);
  }

  private static long key(int bucket, int group) {
    return (long) bucket << 32 | group;
  }
}
