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
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * A {@link ProviderStore} in memory. Bounded: at most {@code maxKeys} keys and {@code maxPerKey}
 * providers per key; a new key over the cap is refused (counted), a new provider of a full key
 * evicts the oldest unverified provider or is refused when all are verified (see {@link
 * ProviderStore}), a known provider is always refreshed. go has no per-key cap; ours keeps one key
 * from growing without bound while leaving room for role and capability keys, which every holder of
 * a role provides.
 *
 * <p>Thread-safe: every method holds the store's lock and does no I/O.
 */
public final class InMemoryProviderStore implements ProviderStore {

  private final Clock clock;
  private final Duration validity;
  private final Duration addrsValidity;
  private final int maxKeys;
  private final int maxPerKey;
  private final Map<ByteBuffer, LinkedHashMap<PeerId, Provider>> providers = new HashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();
  private final Predicate<PeerId> verified;

  /** Every provider counts as verified: a full key refuses newcomers. */
  public InMemoryProviderStore(
      Clock clock, Duration validity, Duration addrsValidity, int maxKeys, int maxPerKey) {
    this(clock, validity, addrsValidity, maxKeys, maxPerKey, p -> true);
  }

  /**
   * @param verified whether a provider is verified (never evicted from a full key); called under
   *     the store's lock, so it must be quick and must not call back into this store
   */
  public InMemoryProviderStore(
      Clock clock,
      Duration validity,
      Duration addrsValidity,
      int maxKeys,
      int maxPerKey,
      Predicate<PeerId> verified) {
    this.verified = Objects.requireNonNull(verified, "verified");
    if (maxKeys <= 0 || maxPerKey <= 0 || validity.isNegative() || addrsValidity.isNegative()) {
      throw new IllegalArgumentException("caps and validities must be positive");
    }
    this.clock = clock;
    this.validity = validity;
    this.addrsValidity = addrsValidity;
    this.maxKeys = maxKeys;
    this.maxPerKey = maxPerKey;
  }

  public InMemoryProviderStore(Clock clock) {
    this(clock, DEFAULT_VALIDITY, DEFAULT_ADDRS_VALIDITY, DEFAULT_MAX_KEYS, DEFAULT_MAX_PER_KEY);
  }

  @Override
  public synchronized AddOutcome add(byte[] key, KadPeer provider) {
    Instant now = clock.instant();
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    LinkedHashMap<PeerId, Provider> forKey = providers.get(k);
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
        PeerId victim = oldestUnverified(forKey.values(), verified);
        if (victim == null) {
          refused.incrementAndGet();
          return AddOutcome.PROVIDER_LIMIT;
        }
        forKey.remove(victim);
        evicted.incrementAndGet();
      }
    }
    List<Multiaddr> addrs = provider.addrs();
    if (addrs.size() > MAX_ADDRS) {
      addrs = addrs.subList(0, MAX_ADDRS);
    }
    forKey.put(provider.id(), new Provider(provider.id(), List.copyOf(addrs), now));
    return known ? AddOutcome.REFRESHED : AddOutcome.ADDED;
  }

  @Override
  public synchronized List<KadPeer> get(byte[] key) {
    LinkedHashMap<PeerId, Provider> forKey = providers.get(ByteBuffer.wrap(key.clone()));
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

  @Override
  public synchronized List<Provider> providers(byte[] key) {
    LinkedHashMap<PeerId, Provider> forKey = providers.get(ByteBuffer.wrap(key.clone()));
    if (forKey == null) {
      return List.of();
    }
    Instant now = clock.instant();
    return forKey.values().stream().filter(e -> !expired(e, now)).toList();
  }

  @Override
  public synchronized int expire() {
    Instant now = clock.instant();
    int removed = 0;
    var it = providers.values().iterator();
    while (it.hasNext()) {
      LinkedHashMap<PeerId, Provider> forKey = it.next();
      int before = forKey.size();
      forKey.values().removeIf(e -> expired(e, now));
      removed += before - forKey.size();
      if (forKey.isEmpty()) {
        it.remove();
      }
    }
    return removed;
  }

  @Override
  public synchronized int size() {
    return providers.size();
  }

  @Override
  public long refused() {
    return refused.get();
  }

  @Override
  public long evicted() {
    return evicted.get();
  }

  /**
   * The provider that makes room in a full key: the least recently added or refreshed one that is
   * not verified; null when all are verified.
   */
  static PeerId oldestUnverified(
      java.util.Collection<Provider> providers, Predicate<PeerId> verified) {
    List<Provider> byAge = new ArrayList<>(providers);
    byAge.sort(java.util.Comparator.comparing(Provider::addedAt));
    for (Provider p : byAge) {
      if (!verified.test(p.id())) {
        return p.id();
      }
    }
    return null;
  }

  private boolean expired(Provider e, Instant now) {
    return !now.isBefore(e.addedAt().plus(validity));
  }
}
