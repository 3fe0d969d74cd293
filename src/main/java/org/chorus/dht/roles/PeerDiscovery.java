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
 * (agent version, role, capabilities, addresses, timestamp, sequence, expiry after {@link
 * PeerRecord#DEFAULT_LIFETIME}; signed by the node identity key, the role claim also by the role's
 * {@link RoleSigner}) under {@code /CHORUS/peer/<peerId>}. A node may announce only a role whose
 * identity it holds (else a 409 problem), since only then can it sign the claim; a saved role whose
 * key is gone by the time of a re-announcement is left out of the record (with a warning) until the
 * key is back. A node has one role (announcing another replaces it; the provider record of the old
 * one lapses with the provider expiry and the peer record no longer names it) and a set of
 * capabilities (announcing adds). The state is saved in the {@link AnnouncementStore} before
 * anything is sent, and {@link #reannounce()} (at start and periodically, well inside the 48 h
 * provider and record expiry) sends it again, so announcements survive restarts and expiry.
 *
 * <p><b>Sequence.</b> Each record signed gets {@code max(last saved + 1, now in epoch millis)},
 * saved before the record is sent: it increases across restarts when the clock steps back (the
 * saved value) and when the state file is lost (the clock), and every node's validator refuses a
 * PUT of a lower one than it holds.
 *
 * <p><b>Find.</b> Providers of the key, then each provider's peer record, verified against the peer
 * id, and its {@link Verification}: {@code verified} is true only for {@link Verification#PROVEN}
 * (node signature, unexpired, and the role claim, which covers the capabilities, verifies under the
 * role's signing key this node knows). A provider whose valid record no longer names the role (or
 * capability) is skipped: the peer itself says it changed. A valid record whose role claim is not
 * proven is returned with its contents and {@code verified = false}. A provider with no record, an
 * expired one or one that does not verify is returned with what the provider record gives (id,
 * addresses; the role or capability asked for) and {@code verified = false}: the provider record
 * alone proves nothing about it, and the caller decides whether to trust it. Record look-ups stop
 * after {@link #LOOKUP_BUDGET}; the remaining providers are returned as {@link
 * Verification#NO_RECORD}.
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
  private final RoleKeys roleKeys;
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
      Instant timestamp,
      long sequence,
      Instant expiresAt) {}

  /** What this node could establish about a found peer's claims. */
  public enum Verification {
    /** Node signature, expiry and the role claim (with the capabilities) all verify. */
    PROVEN("proven"),
    /** No record, or one that does not verify (or was not looked up within the budget). */
    NO_RECORD("no-record"),
    /** The record has expired; its contents are not shown. */
    EXPIRED("expired"),
    /** The record claims no role, so nothing but the node itself attests its capabilities. */
    NO_ROLE("no-role"),
    /** This node knows no signing key for the claimed role, so the claim cannot be proven. */
    UNKNOWN_ROLE_KEY("unknown-role-key"),
    /** The role claim does not verify under the role's signing key. */
    BAD_ROLE_SIGNATURE("bad-role-signature");

    private final String label;

    Verification(String label) {
      this.label = label;
    }

    /** The API form, e.g. {@code unknown-role-key}. */
    public String label() {
      return label;
    }
  }

  /**
   * A peer found by role or capability.
   *
   * @param role {@code role}, {@code capabilities}, {@code agentVersion} and {@code timestamp} come
   *     from the peer's node-signed record unless {@code verification} is {@link
   *     Verification#NO_RECORD} or {@link Verification#EXPIRED}; then they are what the provider
   *     record implies (the role or capability asked for; no agent version; the provider record's
   *     time)
   */
  public record FoundPeer(
      String peerId,
      Optional<String> role,
      List<String> capabilities,
      List<String> addresses,
      Optional<String> agentVersion,
      Instant timestamp,
      Verification verification) {

    /** Whether the claims are proven ({@link Verification#PROVEN}). */
    public boolean verified() {
      return verification == Verification.PROVEN;
    }
  }

  public PeerDiscovery(
      DhtBackend backend,
      IdentityKey identity,
      RoleKeys roleKeys,
      AnnouncementStore store,
      String agentVersion,
      Clock clock) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.roleKeys = Objects.requireNonNull(roleKeys, "roleKeys");
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
   * @throws ApiException 400 naming the field for a bad name or too many capabilities; 409 ({@code
   *     role-key-not-held}) naming the role when this node holds no identity for it
   */
  public synchronized Announcement announceRole(String role, List<String> capabilities) {
    checkName("role", role);
    if (roleKeys.signer(role).isEmpty()) {
      throw new ApiException(
              409,
              "role-key-not-held",
              "Role key not held",
              "this node holds no identity for role '"
                  + role
                  + "' (no "
                  + role
                  + RoleKeys.KEY_SUFFIX
                  + " in its role keys directory), so it cannot sign a claim of that role;"
                  + " announce a role whose key it holds")
          .with("field", "role")
          .with("role", role);
    }
    AnnouncementStore.State next =
        new AnnouncementStore.State(Optional.of(role), merged(capabilities));
    return publish(next);
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
    return publish(new AnnouncementStore.State(state.role(), merged(capabilities)));
  }

  /**
   * Sends everything announced again: the provider records and a fresh peer record. Does nothing
   * when nothing was announced.
   */
  public synchronized Optional<Announcement> reannounce() {
    if (state.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(publish(state));
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

  /**
   * Saves {@code next} with the next sequence number, provides its keys and publishes its peer
   * record (fresh timestamp, expiry and addresses). A role whose key this node no longer holds is
   * left out of what is sent, but stays saved.
   */
  private Announcement publish(AnnouncementStore.State next) {
    Instant now = clock.instant();
    long sequence = Math.max(state.sequence() + 1, now.toEpochMilli());
    AnnouncementStore.State saved = next.withSequence(sequence);
    store.save(saved);
    state = saved;
    Optional<RoleSigner> signer = saved.role().flatMap(roleKeys::signer);
    if (saved.role().isPresent() && signer.isEmpty()) {
      log.warn(
          "this node holds no identity for its announced role '{}': the peer record leaves it out",
          saved.role().get());
    }
    signer.ifPresent(r -> backend.provide(DiscoveryKeys.role(r.role())));
    for (String c : saved.capabilities()) {
      backend.provide(DiscoveryKeys.capability(c));
    }
    PeerRecord record =
        PeerRecord.of(
            agentVersion,
            signer.map(RoleSigner::role).orElse(""),
            saved.capabilities(),
            addresses(),
            now,
            sequence);
    byte[] key = PeerRecord.dhtKey(identity.peerId());
    byte[] signed =
        signer.isPresent() ? record.sign(identity, signer.get()::sign) : record.sign(identity);
    PeerRecord.verify(key, signed);
    backend.putValue(new String(key, StandardCharsets.UTF_8), signed);
    return new Announcement(
        identity.peerId().toBase58(),
        signer.map(RoleSigner::role),
        record.capabilities(),
        record.addresses().stream().map(Multiaddr::toString).toList(),
        agentVersion,
        record.timestamp(),
        sequence,
        record.expiresAt());
  }

  /** The addresses peers can reach us at, without {@code /p2p/...}, bounded. */
  private List<Multiaddr> addresses() {
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
    Set<Multiaddr> out = new LinkedHashSet<>();
    for (Multiaddr a : addrs) {
      if (out.size() < PeerRecord.MAX_ADDRESSES) {
        out.add(a.withoutPeerId());
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
      Lookup lookup =
          clock.instant().isBefore(deadline)
              ? peerRecord(e.getKey())
              : Lookup.failed(Verification.NO_RECORD);
      if (lookup.record().isPresent()) {
        PeerRecord.Verified v = lookup.record().get();
        PeerRecord r = v.record();
        if (matches.test(r)) {
          found.add(
              new FoundPeer(
                  e.getKey(),
                  r.role().isEmpty() ? Optional.empty() : Optional.of(r.role()),
                  r.capabilities(),
                  r.addresses().stream().map(Multiaddr::toString).toList(),
                  Optional.of(r.agentVersion()),
                  r.timestamp(),
                  roleClaim(v)));
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
                lookup.failure()));
      }
    }
    return found;
  }

  /** A peer record that verified and has not expired, or why there is none. */
  private record Lookup(Optional<PeerRecord.Verified> record, Verification failure) {
    static Lookup failed(Verification why) {
      return new Lookup(Optional.empty(), why);
    }
  }

  /** The record of {@code peerId} if it verifies and has not expired. */
  private Lookup peerRecord(String peerId) {
    PeerId id;
    try {
      id = PeerId.parse(peerId);
    } catch (IllegalArgumentException e) {
      return Lookup.failed(Verification.NO_RECORD);
    }
    byte[] key = PeerRecord.dhtKey(id);
    try {
      Optional<byte[]> value = backend.getValue(new String(key, StandardCharsets.UTF_8));
      if (value.isEmpty()) {
        return Lookup.failed(Verification.NO_RECORD);
      }
      PeerRecord.Verified verified = PeerRecord.verify(key, value.get());
      verified.record().checkTime(clock.instant());
      return new Lookup(Optional.of(verified), null);
    } catch (InvalidRecordException e) {
      log.debug("peer record of {} refused: {}", peerId, e.getMessage());
      return Lookup.failed(
          e.reason() == InvalidRecordException.Reason.EXPIRED
              ? Verification.EXPIRED
              : Verification.NO_RECORD);
    } catch (RuntimeException e) {
      log.debug("peer record of {} not found: {}", peerId, e.toString());
      return Lookup.failed(Verification.NO_RECORD);
    }
  }

  /** Whether the role claim of a verified, unexpired record is proven by the role's key. */
  private Verification roleClaim(PeerRecord.Verified verified) {
    String role = verified.record().role();
    if (role.isEmpty()) {
      return Verification.NO_ROLE;
    }
    Optional<byte[]> key = roleKeys.signerKey(role);
    if (key.isEmpty()) {
      return Verification.UNKNOWN_ROLE_KEY;
    }
    return verified.roleClaimVerifies(key.get())
        ? Verification.PROVEN
        : Verification.BAD_ROLE_SIGNATURE;
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
