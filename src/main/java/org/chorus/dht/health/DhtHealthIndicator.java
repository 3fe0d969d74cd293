package org.chorus.dht.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.chorus.dht.backend.HybridDht;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.DhtStats;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Grades whether this node is really part of the network: a node cut off from it is not UP. Checks,
 * worst verdict wins:
 *
 * <ul>
 *   <li>network backend closed: DOWN;
 *   <li>routing table empty on a node with bootstrap peers: UNKNOWN during {@link
 *       Settings#startGrace()} after the Dht started, DOWN after it (cut off from its network);
 *   <li>routing table empty on a node without bootstrap peers: UP with {@code standalone: true}, a
 *       healthy state (the first node of a cluster, which others join); the lookup and local
 *       fallback checks below do not apply while it has no peer;
 *   <li>lookups unanswered: DOWN when the latest lookup got no answer and none has been answered
 *       for {@link Settings#maxQuerySilence()} (since start when none ever was). One failed lookup
 *       does not flap the node; an idle node is not penalised;
 *   <li>hybrid backend on its local fallback (automatic or pinned): OUT_OF_SERVICE; writes are kept
 *       and queued ({@code pendingPushes}) but not replicated;
 *   <li>each {@link ReplicationHealthSource}: reprovide lag above {@link
 *       Settings#maxReprovideLag()}: DOWN.
 * </ul>
 *
 * Details carry the figures behind the verdict and a {@code problems} list naming each failed
 * check. A node without a network backend (embedded only) is UP with {@code backend=local}.
 *
 * <p>Thread-safe: reads snapshots and atomic counters only; never does I/O.
 */
final class DhtHealthIndicator implements HealthIndicator {

  /**
   * The thresholds.
   *
   * @param startGrace how long an empty routing table after start is not yet a failure
   * @param maxQuerySilence how long lookups may go unanswered before the node is DOWN
   * @param maxReprovideLag reprovide lag above which the node is DOWN
   */
  record Settings(Duration startGrace, Duration maxQuerySilence, Duration maxReprovideLag) {
    static final Duration DEFAULT_START_GRACE = Duration.ofMinutes(2);
    static final Duration DEFAULT_MAX_QUERY_SILENCE = Duration.ofMinutes(15);
    static final Duration DEFAULT_MAX_REPROVIDE_LAG = Duration.ofHours(2);

    static final Settings DEFAULT =
        new Settings(DEFAULT_START_GRACE, DEFAULT_MAX_QUERY_SILENCE, DEFAULT_MAX_REPROVIDE_LAG);

    Settings {
      check(startGrace, "startGrace");
      check(maxQuerySilence, "maxQuerySilence");
      check(maxReprovideLag, "maxReprovideLag");
    }

    private static void check(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or positive");
      }
    }
  }

  private final NetworkDht network; // null: embedded backend only
  private final HybridDht hybrid; // null: no hybrid backend
  private final boolean bootstrapPeers;
  private final Supplier<List<ReplicationHealthSource>> replication;
  private final Clock clock;
  private final Settings settings;

  /**
   * @param bootstrapPeers whether the node has bootstrap peers configured (without, an empty
   *     routing table is the standalone state, not a failure)
   */
  DhtHealthIndicator(
      NetworkDht network,
      HybridDht hybrid,
      boolean bootstrapPeers,
      Supplier<List<ReplicationHealthSource>> replication,
      Clock clock,
      Settings settings) {
    this.network = network;
    this.hybrid = hybrid;
    this.bootstrapPeers = bootstrapPeers;
    this.replication = replication;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public Health health() {
    if (network == null) {
      return Health.up().withDetail("backend", "local").build();
    }
    if (!network.isOpen()) {
      return Health.down().withDetail("backend", backendName()).withDetail("open", false).build();
    }
    Verdict v = new Verdict();
    Health.Builder b = new Health.Builder().withDetail("backend", backendName());
    boolean standalone = false;
    try {
      Dht dht = network.dht();
      DhtStats s = dht.stats();
      standalone = !bootstrapPeers && s.routingTableSize() == 0;
      b.withDetail("standalone", standalone)
          .withDetail("routingTableSize", s.routingTableSize())
          .withDetail("connectedPeers", s.connectedPeers())
          .withDetail("bootstrapped", s.bootstrapped())
          .withDetail("mode", s.mode())
          .withDetail("uptimeSeconds", s.uptime().toSeconds());
      if (s.routingTableSize() == 0 && !standalone) {
        if (s.uptime().compareTo(settings.startGrace()) < 0) {
          v.worse(Status.UNKNOWN, "routing table empty (still starting)");
        } else {
          v.worse(Status.DOWN, "routing table empty: cut off from the network");
        }
      }
      if (!standalone) {
        queries(dht.queryHealth(), s.uptime(), b, v);
      }
    } catch (RuntimeException e) {
      v.worse(Status.DOWN, "failed to read the Dht: " + e.getMessage());
    }
    if (hybrid != null) {
      hybrid(b, v, standalone);
    }
    for (ReplicationHealthSource source : replication.get()) {
      replication(source, b, v);
    }
    return b.status(v.status).withDetail("problems", List.copyOf(v.problems)).build();
  }

  private String backendName() {
    return hybrid != null ? HybridDht.NAME : NetworkDht.NAME;
  }

  private void queries(Dht.QueryHealth q, Duration uptime, Health.Builder b, Verdict v) {
    Instant now = clock.instant();
    b.withDetail("queriesAnswered", q.answered()).withDetail("queriesUnanswered", q.unanswered());
    if (q.lastAnswered() != null) {
      b.withDetail("lastAnsweredQuery", q.lastAnswered().toString())
          .withDetail(
              "secondsSinceLastAnsweredQuery", Duration.between(q.lastAnswered(), now).toSeconds());
    }
    boolean failingNow =
        q.lastUnanswered() != null
            && (q.lastAnswered() == null || q.lastUnanswered().isAfter(q.lastAnswered()));
    if (!failingNow) {
      return;
    }
    Duration silence = q.lastAnswered() != null ? Duration.between(q.lastAnswered(), now) : uptime;
    if (silence.compareTo(settings.maxQuerySilence()) >= 0) {
      v.worse(Status.DOWN, "no lookup answered for " + silence.toSeconds() + " s");
    }
  }

  private void hybrid(Health.Builder b, Verdict v, boolean standalone) {
    String active = hybrid.activeName();
    b.withDetail("activeBackend", active)
        .withDetail("selection", hybrid.selection().label())
        .withDetail("networkUp", hybrid.networkUp())
        .withDetail("pendingPushes", hybrid.pendingPushes())
        .withDetail("fallbacks", hybrid.fallbacks());
    if (hybrid.selection() == HybridDht.Selection.LOCAL) {
      v.worse(Status.OUT_OF_SERVICE, "local backend pinned by an operator");
    } else if (!NetworkDht.NAME.equals(active) && !standalone) {
      v.worse(Status.OUT_OF_SERVICE, "on the local fallback: the network backend is out of use");
    }
  }

  private void replication(ReplicationHealthSource source, Health.Builder b, Verdict v) {
    ReplicationHealthSource.Figures f;
    try {
      f = source.replicationFigures();
    } catch (RuntimeException e) {
      v.worse(Status.DOWN, "failed to read replication figures: " + e.getMessage());
      return;
    }
    b.withDetail("reprovideLagSeconds", f.reprovideLag().toSeconds())
        .withDetail("criticalKeys", f.criticalKeys())
        .withDetail("trackedKeys", f.trackedKeys());
    if (f.reprovideLag().compareTo(settings.maxReprovideLag()) > 0) {
      v.worse(Status.DOWN, "reprovide lag " + f.reprovideLag().toSeconds() + " s");
    }
  }

  /** The worst status so far and the reasons; DOWN beats OUT_OF_SERVICE beats UNKNOWN beats UP. */
  private static final class Verdict {
    private static final List<Status> ORDER =
        List.of(Status.UP, Status.UNKNOWN, Status.OUT_OF_SERVICE, Status.DOWN);
    Status status = Status.UP;
    final List<String> problems = new ArrayList<>();

    void worse(Status s, String problem) {
      problems.add(problem);
      if (ORDER.indexOf(s) > ORDER.indexOf(status)) {
        status = s;
      }
    }
  }
}
