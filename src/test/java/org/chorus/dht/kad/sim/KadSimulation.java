package org.chorus.dht.kad.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.key.KadKey;
import org.chorus.dht.kad.query.ClosestPeersIter.Termination;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Runs the Kademlia simulation: bootstraps N nodes on a {@link SimNetwork}, then for 0 %, 10 % and
 * 30 % failed nodes runs GET lookups of random keys stored on their k = 20 globally closest nodes
 * (stored before the failures, so failed holders lose their copy) from random live nodes, and
 * prints hops p50/p95 and the success rate.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     org.chorus.dht.kad.sim.KadSimulation 10000 [lookups=1000] [seed=1]
 * </pre>
 */
public final class KadSimulation {

  static final double[] FAILURE_RATES = {0.0, 0.10, 0.30};

  private KadSimulation() {}

  /** One row of the table. */
  record Row(
      int nodes,
      double failed,
      int lookups,
      int successes,
      int hopsP50,
      int hopsP95,
      int hopsMax,
      double meanRequests,
      long latencyP50Ms,
      long latencyP95Ms,
      double closestRecall) {

    double successRate() {
      return (double) successes / lookups;
    }

    String format() {
      return String.format(
          Locale.ROOT,
          "%6d  %5.0f%%  %7d  %8.2f%%  %4d  %4d  %4d  %8.1f  %8d  %8d  %8.1f%%",
          nodes,
          failed * 100,
          lookups,
          successRate() * 100,
          hopsP50,
          hopsP95,
          hopsMax,
          meanRequests,
          latencyP50Ms,
          latencyP95Ms,
          closestRecall * 100);
    }

    static String header() {
      return " nodes  failed  lookups   success   p50   p95   max  rpcs/GET  lat50 ms  lat95 ms"
          + "  k-closest";
    }
  }

  /** Bootstraps a network of {@code nodes} and measures each failure rate. */
  static List<Row> run(int nodes, int lookups, long seed, boolean verbose) {
    KadConfig config = KadConfig.defaults();
    long t0 = System.nanoTime();
    SimNetwork net = new SimNetwork(nodes, config, seed);
    net.bootstrap();
    if (verbose) {
      System.out.printf(
          Locale.ROOT,
          "bootstrapped %d nodes in %.1f s wall (%d RPCs, mean table size %.1f)%n",
          nodes,
          (System.nanoTime() - t0) / 1e9,
          net.rpcs,
          net.meanTableSize());
    }
    List<Row> rows = new ArrayList<>();
    for (double rate : FAILURE_RATES) {
      rows.add(measure(net, rate, lookups));
    }
    return rows;
  }

  static Row measure(SimNetwork net, double rate, int lookups) {
    net.failRandom(rate);
    int[] hops = new int[lookups];
    long[] latency = new long[lookups];
    int found = 0;
    long requests = 0;
    double recall = 0;
    for (int l = 0; l < lookups; l++) {
      KadKey key = net.randomKey();
      int[] holders = net.globallyClosest(key, net.config.k());
      boolean[] holds = new boolean[net.size()];
      for (int h : holders) {
        holds[h] = !net.failed[h];
      }
      int origin;
      do {
        origin = net.rnd.nextInt(net.size());
      } while (net.failed[origin]);
      SimNetwork.Outcome o = net.lookup(origin, key, Termination.BETA, i -> holds[i], false);
      recall += closestRecall(net, origin, key);
      requests += o.requests();
      if (o.found()) {
        hops[found] = o.hops();
        latency[found] = o.elapsedMs();
        found++;
      }
    }
    int[] h = Arrays.copyOf(hops, found);
    long[] lat = Arrays.copyOf(latency, found);
    Arrays.sort(h);
    Arrays.sort(lat);
    return new Row(
        net.size(),
        rate,
        lookups,
        found,
        found == 0 ? -1 : h[percentileIndex(found, 50)],
        found == 0 ? -1 : h[percentileIndex(found, 95)],
        found == 0 ? -1 : h[found - 1],
        (double) requests / lookups,
        found == 0 ? -1 : lat[percentileIndex(found, 50)],
        found == 0 ? -1 : lat[percentileIndex(found, 95)],
        recall / lookups);
  }

  /**
   * GetClosestPeers (k-closest termination) from {@code origin}: the share of the true k closest
   * live nodes (other than the origin) among the peers it returns; the PUT path depends on it.
   */
  static double closestRecall(SimNetwork net, int origin, KadKey key) {
    int k = net.config.k();
    int[] truth = net.globallyClosest(key, k * 2 + 1);
    Set<PeerId> live = new HashSet<>();
    for (int i = 0; i < truth.length && live.size() < k; i++) {
      if (!net.failed[truth[i]] && truth[i] != origin) {
        live.add(net.ids[truth[i]]);
      }
    }
    SimNetwork.Outcome o = net.lookup(origin, key, Termination.K_CLOSEST, null, false);
    long hit = o.iter().closestSucceeded(k).stream().filter(live::contains).count();
    return (double) hit / live.size();
  }

  /** Nearest-rank percentile. */
  static int percentileIndex(int n, int p) {
    return Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1);
  }

  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    long t0 = System.nanoTime();
    List<Row> rows = run(nodes, lookups, seed, true);
    System.out.println("k=20 alpha=10 beta=3, GET stops at the first live holder; seed " + seed);
    System.out.println(Row.header());
    rows.forEach(r -> System.out.println(r.format()));
    System.out.printf(Locale.ROOT, "total %.1f s wall%n", (System.nanoTime() - t0) / 1e9);
  }
}
