package org.chorus.dht.kad.records;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Provider records: for a key (a multihash, as on the wire) the peers that said they provide it,
 * with the addresses they gave and when. A record is valid {@link #DEFAULT_VALIDITY} after its last
 * ADD_PROVIDER; its addresses are handed out only for {@link #DEFAULT_ADDRS_VALIDITY} (the
 * go-libp2p-kad-dht {@code ProvideValidity} and provider-address TTL). Bounded: at most {@code
 * maxKeys} keys and {@code maxPerKey} providers per key; a new key or provider over a cap is
 * refused (counted), a known provider is always refreshed. go has no per-key cap; ours keeps one
 * key from growing without bound while leaving room for role and capability keys, which every
 * holder of a role provides.
 *
 * <p>Thread-safe: every method holds the store's lock and does no I/O. Persistence comes later.
 */
public final class ProviderStore {
  public static final Duration DEFAULT_VALIDITY = Duration.ofHours(48);
  public static final Duration DEFAULT_ADDRS_VALIDITY = Duration.ofHours(24);

  /** Named cap: providers kept per key. */
  public static final int DEFAULT_MAX_PER_KEY = 64;

  /** Named cap: keys kept. */
  public static final int DEFAULT_MAX_KEYS = 100_000;

  /** Named cap: addresses kept per provider. */
  public static final int MAX_ADDRS = 16;

  /** What {@link #add} did. */
  public enum AddOutcome {
    ADDED,
    REFRESHED,
    KEY_LIMIT,
    PROVIDER_LIMIT
  }

  private record Entry(List<Multiaddr> addrs, Instant addedAt) {}

  private final Clock clock;
  private final Duration validity;
  private final Duration addrsValidity;
  private final int maxKeys;
  private final int maxPerKey;
  private final Map<ByteBuffer, LinkedHashMap<PeerId, Entry>> providers = new HashMap<>();
  private final AtomicLong refused = new AtomicLong();

  public ProviderStore(
      Clock clock, Duration validity, Duration addrsValidity, int maxKeys, int maxPerKey) {
    if (maxKeys <= 0 || maxPerKey <= 0 || validity.isNegative() || addrsValidity.isNegative()) {
      throw new IllegalArgumentException("caps and validities must be positive");
    }
    this.clock = clock;
    this.validity = validity;
    this.addrsValidity = addrsValidity;
    this.maxKeys = maxKeys;
    this.maxPerKey = maxPerKey;
  }

  public ProviderStore(Clock clock) {
    this(clock, DEFAULT_VALIDITY, DEFAULT_ADDRS_VALIDITY, DEFAULT_MAX_KEYS, DEFAULT_MAX_PER_KEY);
  }

  /** Records {@code provider} for {@code key} now (addresses beyond {@link #MAX_ADDRS} dropped). */
  public synchronized AddOutcome add(byte[] key, KadPeer provider) {
    Instant now = clock.instant();
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    LinkedHashMap<PeerId, Entry> forKey = providers.get(k);
    if (forKey == null) {
      if (providers.size() >= maxKeys && expire() == 0) {
        refused.incrementAndGet();
        return AddOutcome.KEY_LIMIT;
      }
      forKey = new LinkedHashMap<>();
      providers.put(k, forKey);
    }
    boolean known = forKey.containsKey(provider.id());
    if (!known && forKey.size() >= maxPerKey) {
      forKey.values().removeIf(e -> expired(e, now));
      if (forKey.size() >= maxPerKey) {
        refused.incrementAndGet();
        return AddOutcome.PROVIDER_LIMIT;
      }
    }
    List<Multiaddr> addrs = provider.addrs();
    if (addrs.size() > MAX_ADDRS) {
      addrs = addrs.subList(0, MAX_ADDRS);
    }
    forKey.put(provider.id(), new Entry(List.copyOf(addrs), now));
    return known ? AddOutcome.REFRESHED : AddOutcome.ADDED;
  }

  /**
   * The valid providers of {@code key}, oldest first; an entry older than the address validity
   * comes without addresses.
   */
  public synchronized List<KadPeer> get(byte[] key) {
    LinkedHashMap<PeerId, Entry> forKey = providers.get(ByteBuffer.wrap(key.clone()));
    if (forKey == null) {
      return List.of();
    }
    Instant now = clock.instant();
    List<KadPeer> out = new ArrayList<>();
    forKey.forEach(
        (id, e) -> {
          if (!expired(e, now)) {
            boolean addrsValid = now.isBefore(e.addedAt().plus(addrsValidity));
            out.add(new KadPeer(id, addrsValid ? e.addrs() : List.of()));
          }
        });
    return out;
  }

  /** Drops expired provider records and keys left empty; returns how many records went. */
  public synchronized int expire() {
    Instant now = clock.instant();
    int removed = 0;
    var it = providers.values().iterator();
    while (it.hasNext()) {
      LinkedHashMap<PeerId, Entry> forKey = it.next();
      int before = forKey.size();
      forKey.values().removeIf(e -> expired(e, now));
      removed += before - forKey.size();
      if (forKey.isEmpty()) {
        it.remove();
      }
    }
    return removed;
  }

  /** Keys with at least one provider record (expired ones not yet dropped included). */
  public synchronized int size() {
    return providers.size();
  }

  /** ADD_PROVIDERs refused by a cap (a rejection metric). */
  public long refused() {
    return refused.get();
  }

  private boolean expired(Entry e, Instant now) {
    return !now.isBefore(e.addedAt().plus(validity));
  }
}
