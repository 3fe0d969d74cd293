package org.chorus.dht.roles;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.DhtBackend.Provider;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.PeerRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.system.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Roles and capabilities on the DHT (DESIGN.md "Kademlia"): announce what this node is and can do,
 * and find the peers that are or can.
 *
 * <p><b>Announce.</b> The node is a provider of {@link DiscoveryKeys#role} for its role and of
 * {@link DiscoveryKeys#capability} for each capability, and publishes its signed {@link PeerRecord}
 * (agent version, role, capabilities, addresses, timestamp; signed by the node identity key) under
 * {@code /CHORUS/peer/<peerId>}. A node has one role (announcing another replaces it; the provider
 * record of the old one lapses with the provider expiry and the peer record no longer names it) and
 * a set of capabilities (announcing adds). The state is saved in the {@link AnnouncementStore}
 * before anything is sent, and {@link #reannounce()} (at start and periodically, well inside the 48
 * h provider expiry) sends it again, so announcements survive restarts and expiry.
 *
 * <p><b>Find.</b> Providers of the key, then each provider's peer record, verified against the peer
 * id. A provider whose valid record no longer names the role (or capability) is skipped: the peer
 * itself says it changed. A provider with no record, or a record that does not verify, is returned
 * with what the provider record gives (id, addresses; the role or capability asked for) and {@code
 * verified = false}: the provider record alone proves nothing about it, and the caller decides
 * whether to trust it. Record look-ups stop after {@link #LOOKUP_BUDGET}; the remaining providers
 * are returned unverified.
 *
 * <p>Bounds: names match {@link DiscoveryKeys#NAME}; at most {@link #MAX_CAPABILITIES}
 * capabilities; at most {@link #MAX_LIMIT} peers per query. Thread-safe: announcements are
 * serialised on this object; finds touch only thread-safe collaborators.
 */
public final class PeerDiscovery {

  private static final Logger log = LoggerFactory.getLogger(PeerDiscovery.class);

  /** Named cap: capabilities a node announces (below {@link PeerRecord#MAX_CAPABILITIES}). */
  public static final int MAX_CAPABILITIES = 32;

  /** Named cap: peers returned by one find. */
  public static final int MAX_LIMIT = 100;

  /** Peers returned by a find when the caller does not say. */
  public static final int DEFAULT_LIMIT = 20;

  /** Longest time a find spends fetching peer records. */
  public static final Duration LOOKUP_BUDGET = Duration.ofSeconds(30);

  private final DhtBackend backend;
  private final IdentityKey identity;
  private final AnnouncementStore store;
  private final String agentVersion;
  private final Clock clock;
  private AnnouncementStore.State state;

  /** What this node announces, as its peer record says it. */
  public record Announcement(
      String peerId,
      Optional<String> role,
      List<String> capabilities,
      List<String> addresses,
      String agentVersion,
      Instant timestamp) {}

  /**
   * A peer found by role or capability.
   *
   * @param verified whether {@code role}, {@code capabilities}, {@code agentVersion} and {@code
   *     timestamp} come from the peer's signed record; if not, they are what the provider record
   *     implies (the role or capability asked for; no agent version; the provider record's time)
   */
  public record FoundPeer(
      String peerId,
      Optional<String> role,
      List<String> capabilities,
      List<String> addresses,
      Optional<String> agentVersion,
      Instant timestamp,
      boolean verified) {}

  public PeerDiscovery(
      DhtBackend backend,
      IdentityKey identity,
      AnnouncementStore store,
      String agentVersion,
      Clock clock) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.store = Objects.requireNonNull(store, "store");
    this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.state = store.load();
  }

  /** This node's peer id. */
  public PeerId peerId() {
    return identity.peerId();
  }

  /** The announced role and capabilities. */
  public synchronized AnnouncementStore.State state() {
    return state;
  }

  /**
   * Makes {@code role} this node's role and adds {@code capabilities}, saves that, provides the
   * keys and publishes the peer record. The caller checks that the role exists and that it may
   * announce it.
   *
   * @throws ApiException 400 naming the field for a bad name or too many capabilities
   */
  public synchronized Announcement announceRole(String role, List<String> capabilities) {
    checkName("role", role);
    AnnouncementStore.State next =
        new AnnouncementStore.State(Optional.of(role), merged(capabilities));
    return publish(next, true);
  }

  /**
   * Adds {@code capabilities}, saves that, provides them and publishes the peer record.
   *
   * @throws ApiException 400 naming the field for an empty list, a bad name or too many
   */
  public synchronized Announcement announceCapabilities(List<String> capabilities) {
    if (capabilities == null || capabilities.isEmpty()) {
      throw ApiException.badRequest("capabilities", "'capabilities' must name at least one");
    }
    return publish(new AnnouncementStore.State(state.role(), merged(capabilities)), true);
  }

  /** Publishes this node's current peer record (fresh timestamp and addresses). */
  public synchronized Announcement registerPeer() {
    Announcement a = announcement();
    PeerRecord record =
        new PeerRecord(
            agentVersion,
            a.role().orElse(""),
            a.capabilities(),
            a.addresses().stream().map(Multiaddr::parse).toList(),
            a.timestamp());
    String key = new String(PeerRecord.dhtKey(identity.peerId()), StandardCharsets.UTF_8);
    byte[] signed = record.sign(identity);
    PeerRecord.verify(PeerRecord.dhtKey(identity.peerId()), signed);
    backend.putValue(key, signed);
    return a;
  }

  /**
   * Sends everything announced again: the provider records and a fresh peer record. Does nothing
   * when nothing was announced.
   */
  public synchronized Optional<Announcement> reannounce() {
    if (state.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(publish(state, false));
  }

  /** Up to {@code limit} peers that announced {@code role} (see the class comment). */
  public List<FoundPeer> findPeersByRole(String role, int limit) {
    checkName("role", role);
    return find(
        DiscoveryKeys.role(role),
        checkLimit(limit),
        r -> r.role().equals(role),
        Optional.of(role),
        List.of());
  }

  /** Up to {@code limit} peers that announced {@code capability}. */
  public List<FoundPeer> findPeersByCapability(String capability, int limit) {
    checkName("capability", capability);
    return find(
        DiscoveryKeys.capability(capability),
        checkLimit(limit),
        r -> r.capabilities().contains(capability),
        Optional.empty(),
        List.of(capability));
  }

  private Announcement publish(AnnouncementStore.State next, boolean save) {
    if (save) {
      store.save(next);
      state = next;
    }
    next.role().ifPresent(r -> backend.provide(DiscoveryKeys.role(r)));
    for (String c : next.capabilities()) {
      backend.provide(DiscoveryKeys.capability(c));
    }
    return registerPeer();
  }

  private Announcement announcement() {
    return new Announcement(
        identity.peerId().toBase58(),
        state.role(),
        state.capabilities(),
        addresses(),
        agentVersion,
        clock.instant());
  }

  /** The addresses peers can reach us at, without {@code /p2p/...}, bounded. */
  private List<String> addresses() {
    List<Multiaddr> addrs = new ArrayList<>();
    if (backend instanceof NetworkDht network) {
      addrs.addAll(network.host().advertisedAddrs());
    } else {
      for (String a : backend.stats().listenAddrs()) {
        try {
          addrs.add(Multiaddr.parse(a));
        } catch (IllegalArgumentException e) {
          log.debug("not an address for the peer record: {}", a);
        }
      }
    }
    Set<String> out = new LinkedHashSet<>();
    for (Multiaddr a : addrs) {
      if (out.size() < PeerRecord.MAX_ADDRESSES) {
        out.add(a.withoutPeerId().toString());
      }
    }
    return List.copyOf(out);
  }

  private List<String> merged(List<String> added) {
    Set<String> all = new LinkedHashSet<>(state.capabilities());
    List<String> list = added == null ? List.of() : added;
    for (int i = 0; i < list.size(); i++) {
      checkName("capabilities[" + i + "]", list.get(i));
      all.add(list.get(i));
    }
    if (all.size() > MAX_CAPABILITIES) {
      throw ApiException.badRequest(
              "capabilities",
              "a node announces at most "
                  + MAX_CAPABILITIES
                  + " capabilities; this would make "
                  + all.size())
          .with("limit", MAX_CAPABILITIES);
    }
    return List.copyOf(all);
  }

  private List<FoundPeer> find(
      String key,
      int limit,
      Predicate<PeerRecord> matches,
      Optional<String> impliedRole,
      List<String> impliedCapabilities) {
    String selfBackendId = backend.stats().peerId();
    Map<String, Provider> providers = new LinkedHashMap<>();
    for (Provider p : backend.findProviders(key, limit)) {
      String id = p.peerId().equals(selfBackendId) ? identity.peerId().toBase58() : p.peerId();
      providers.putIfAbsent(id, p);
    }
    Instant deadline = clock.instant().plus(LOOKUP_BUDGET);
    List<FoundPeer> found = new ArrayList<>();
    for (Map.Entry<String, Provider> e : providers.entrySet()) {
      if (found.size() >= limit) {
        break;
      }
      Optional<PeerRecord> record =
          clock.instant().isBefore(deadline) ? peerRecord(e.getKey()) : Optional.empty();
      if (record.isPresent()) {
        PeerRecord r = record.get();
        if (matches.test(r)) {
          found.add(
              new FoundPeer(
                  e.getKey(),
                  r.role().isEmpty() ? Optional.empty() : Optional.of(r.role()),
                  r.capabilities(),
                  r.addresses().stream().map(Multiaddr::toString).toList(),
                  Optional.of(r.agentVersion()),
                  r.timestamp(),
                  true));
        }
      } else {
        Provider p = e.getValue();
        found.add(
            new FoundPeer(
                e.getKey(),
                impliedRole,
                impliedCapabilities,
                p.addresses(),
                Optional.empty(),
                Instant.ofEpochMilli(p.addedAtMillis()),
                false));
      }
    }
    return found;
  }

  /** The verified record of {@code peerId}, empty if absent, unreadable or not verifying. */
  private Optional<PeerRecord> peerRecord(String peerId) {
    PeerId id;
    try {
      id = PeerId.parse(peerId);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    byte[] key = PeerRecord.dhtKey(id);
    try {
      Optional<byte[]> value = backend.getValue(new String(key, StandardCharsets.UTF_8));
      if (value.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(PeerRecord.verify(key, value.get()).record());
    } catch (InvalidRecordException e) {
      log.debug("peer record of {} refused: {}", peerId, e.getMessage());
      return Optional.empty();
    } catch (RuntimeException e) {
      log.debug("peer record of {} not found: {}", peerId, e.toString());
      return Optional.empty();
    }
  }

  private static void checkName(String field, String name) {
    if (name == null || name.isEmpty()) {
      throw ApiException.badRequest(field, "'" + field + "' must not be empty");
    }
    if (!DiscoveryKeys.isValidName(name)) {
      throw ApiException.badRequest(
          field,
          "'"
              + field
              + "' must be at most "
              + DiscoveryKeys.MAX_NAME_LENGTH
              + " characters of letters, digits and . _ + # - (starting with a letter or digit)");
    }
  }

  private static int checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiException.badRequest("limit", "'limit' must be between 1 and " + MAX_LIMIT)
          .with("limit", MAX_LIMIT);
    }
    return limit;
  }
}
