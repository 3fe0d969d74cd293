package org.chorus.dht.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.host.PeerAccess;
import org.chorus.dht.store.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's deny-list of peers: those of {@code chorus.dht.denied-peers} (fixed) and those an
 * admin denied at run time, kept in {@code <data-dir>/denied-peers.txt} so that a restart keeps
 * them. A denial is saved (synced) first, then takes effect on the host: the peer's connections are
 * closed, it is refused in every handshake from then on, and it leaves the kad routing table and
 * the peer store. The saved list is applied at start (a connection the peer made in the moment
 * before is closed then).
 *
 * <p>File format: one denial a line, {@code <peer id> <denied at, ISO-8601> <by> <reason>}, the
 * last two URL-encoded; {@code #} starts a comment; unreadable lines are skipped with a warning.
 *
 * <p>Thread-safe: every public method is synchronized (denials are rare admin actions).
 */
public final class DeniedPeers {
  private static final Logger log = LoggerFactory.getLogger(DeniedPeers.class);

  /** File name inside the data directory. */
  public static final String FILE_NAME = "denied-peers.txt";

  /** Longest reason kept with a denial. */
  public static final int MAX_REASON = 256;

  /** How long a denial waits for the peer's connections to close. */
  static final long CLOSE_WAIT_SECONDS = 5;

  /** Where a denial comes from: the configuration (cannot be lifted at run time) or the API. */
  public enum Source {
    CONFIG,
    API
  }

  /** One denied peer. {@code deniedBy} and {@code deniedAt} are null for configured ones. */
  public record Entry(
      PeerId peer, String reason, String deniedBy, Instant deniedAt, Source source) {}

  /**
   * What a denial did.
   *
   * @param entry the denial (the earlier one if the peer was denied already)
   * @param alreadyDenied the peer was denied before this call
   * @param closedConnections connections to the peer closed
   * @param evicted the peer was in the routing table and left it
   */
  public record Outcome(
      Entry entry, boolean alreadyDenied, int closedConnections, boolean evicted) {}

  /** What lifting a denial found. */
  public enum Lift {
    LIFTED,
    NOT_DENIED,
    CONFIGURED
  }

  private final Path file;
  private final NetworkDht network;
  private final Clock clock;
  private final Map<PeerId, Entry> entries = new LinkedHashMap<>();

  /**
   * Loads the saved denials and applies them to {@code network}'s host.
   *
   * @param network the node's network backend; null on a node without one (the list is then kept
   *     but has nothing to act on)
   * @param configured {@code chorus.dht.denied-peers} (already denied by the host's config)
   */
  public DeniedPeers(Path dataDir, NetworkDht network, Collection<PeerId> configured, Clock clock) {
    this.file = dataDir.resolve(FILE_NAME);
    this.network = network;
    this.clock = clock;
    for (PeerId p : configured) {
      entries.put(p, new Entry(p, "chorus.dht.denied-peers", null, null, Source.CONFIG));
    }
    for (Entry e : load()) {
      if (!entries.containsKey(e.peer())) {
        entries.put(e.peer(), e);
        apply(e.peer());
      }
    }
  }

  public Path file() {
    return file;
  }

  /** Whether a network backend exists to act on. */
  public boolean hasNetwork() {
    return network != null;
  }

  /** The denial of {@code peer}, if it is denied. */
  public synchronized Optional<Entry> find(PeerId peer) {
    return Optional.ofNullable(entries.get(peer));
  }

  /** Whether {@code peer} is this node. */
  public boolean isSelf(PeerId peer) {
    return network != null && network.host().peerId().equals(peer);
  }

  /** Every denial, configured ones first. */
  public synchronized List<Entry> list() {
    return List.copyOf(entries.values());
  }

  /** The host's allow-list (empty: anyone not denied), for the listing. */
  public Set<PeerId> allowed() {
    return network == null ? Set.of() : network.host().peerAccess().allowed();
  }

  /**
   * Denies {@code peer}: saved, then enforced (see the class comment).
   *
   * @throws IllegalStateException when {@link PeerAccess#MAX_DENIED} peers are denied already
   * @throws UncheckedIOException when the list cannot be saved (nothing changed then)
   */
  public synchronized Outcome deny(PeerId peer, String reason, String by) {
    Entry existing = entries.get(peer);
    if (existing != null) {
      return new Outcome(existing, true, 0, false);
    }
    if (entries.size() >= PeerAccess.MAX_DENIED) {
      throw new IllegalStateException(PeerAccess.MAX_DENIED + " peers are denied already");
    }
    Entry e = new Entry(peer, reason == null ? "" : reason, by, clock.instant(), Source.API);
    entries.put(peer, e);
    try {
      save();
    } catch (UncheckedIOException ex) {
      entries.remove(peer);
      throw ex;
    }
    int closed = 0;
    boolean evicted = false;
    if (network != null) {
      closed = apply(peer);
      evicted = network.dht().evict(peer);
      network.host().peerStore().remove(peer);
    }
    log.info("denied peer {} ({}), asked by {}: {} connections closed", peer, reason, by, closed);
    return new Outcome(e, false, closed, evicted);
  }

  /** Lifts an API denial (saved first); configured denials stay. */
  public synchronized Lift lift(PeerId peer) {
    Entry e = entries.get(peer);
    if (e == null) {
      return Lift.NOT_DENIED;
    }
    if (e.source() == Source.CONFIG) {
      return Lift.CONFIGURED;
    }
    entries.remove(peer);
    try {
      save();
    } catch (UncheckedIOException ex) {
      entries.put(peer, e);
      throw ex;
    }
    if (network != null) {
      network.host().liftDenial(peer);
    }
    log.info("lifted the denial of peer {}", peer);
    return Lift.LIFTED;
  }

  /** Denies on the host and waits (bounded) for the peer's connections to close. */
  private int apply(PeerId peer) {
    if (network == null) {
      return 0;
    }
    try {
      return network.host().denyPeer(peer).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception ex) {
      log.warn("closing the connections of denied peer {}: {}", peer, ex.toString());
      return 0;
    }
  }

  private List<Entry> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file + ": " + e.getMessage(), e);
    }
    List<Entry> out = new ArrayList<>();
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Optional<Entry> e = parse(l);
      if (e.isPresent() && out.size() < PeerAccess.MAX_DENIED) {
        out.add(e.get());
      } else {
        log.warn("{}: skipping line '{}'", file, l.length() > 80 ? l.substring(0, 80) + "…" : l);
      }
    }
    return out;
  }

  private static Optional<Entry> parse(String line) {
    String[] parts = line.split(" ", 4);
    if (parts.length != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Entry(
              PeerId.parse(parts[0]),
              URLDecoder.decode(parts[3], StandardCharsets.UTF_8),
              URLDecoder.decode(parts[2], StandardCharsets.UTF_8),
              Instant.parse(parts[1]),
              Source.API));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Replaces the file with the API denials: a synced temporary file moved into place. */
  private void save() {
    StringBuilder text =
        new StringBuilder("# chorus-dht: peers denied at run time (peer id, when, by, reason)\n");
    for (Entry e : entries.values()) {
      if (e.source() == Source.API) {
        text.append(e.peer())
            .append(' ')
            .append(e.deniedAt())
            .append(' ')
            .append(
                URLEncoder.encode(e.deniedBy() == null ? "" : e.deniedBy(), StandardCharsets.UTF_8))
            .append(' ')
            .append(URLEncoder.encode(e.reason(), StandardCharsets.UTF_8))
            .append('\n');
      }
    }
    try {
      AtomicFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write " + file + ": " + e.getMessage(), e);
    }
  }
}
