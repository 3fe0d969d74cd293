package org.chorus.dht.p2p.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.host.Host;

/** Ping checks that hold on any machine, however loaded: no wall-clock budget. */
public final class Pings {
  private Pings() {}

  /**
   * Pings over {@code c} from {@code from} and returns the measured round trip, checking that it is
   * positive and no longer than this call waited for it (the ping is timed inside that wait).
   */
  public static Duration roundTrip(Host from, Connection c) throws Exception {
    long before = System.nanoTime();
    Duration rtt = from.ping(c).get(10, TimeUnit.SECONDS);
    Duration waited = Duration.ofNanos(System.nanoTime() - before);
    assertThat(rtt).isPositive().isLessThanOrEqualTo(waited);
    return rtt;
  }
}
