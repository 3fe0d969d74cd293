package org.chorus.dht.kad.records;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.MvStores;
import org.h2.mvstore.MVMap;

/**
 * A {@link ProviderStore} in maps {@code kad.providers.*} of the node's {@link DataStore}, with the
 * semantics and caps of {@link InMemoryProviderStore}: at most {@code maxKeys} keys and {@code
 * maxPerKey} providers per key (a new key over the cap is refused and counted; a new provider of a
 * full key evicts the oldest unverified one, or is refused when all are verified; a known provider
 * is always refreshed), records valid {@code validity} after the last ADD_PROVIDER, addresses
 * handed out for {@code addrsValidity}.
 *
 * <p>One map entry per key holds that key's providers, oldest first (at most {@code maxPerKey}, so
 * a read-modify-write of the entry stays small). {@link #add} and {@link #expire} return only after
 * the data store's commit and {@code fsync} covering the change.
 *
 * <p>Thread-safe: changes are applied under the store's lock, the sync runs outside it.
 */
public final class MvProviderStore implements ProviderStore, AutoCloseable {
  /** The file name of earlier versions in the data directory (moved into the data store). */
  public static final String FILE_NAME = "kad-providers.mv.db";

  /** Named cap: page cache of a store on its own file, which bounds its heap use. */
  public static final int DEFAULT_CACHE_MB = 16;

  /** The prefix of this store's maps in the data store. */
  public static final String PREFIX = "kad.providers.";

  private static final String MAP = PREFIX + "providers";
  private static final HexFormat HEX = HexFormat.of();

  private final DataStore store;
  private final boolean ownsStore;
  private final MVMap<String, byte[]> providers;
  private final Clock clock;
  private final Duration validity;
  private final Duration addrsValidity;
  private final int maxKeys;
  private final int maxPerKey;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();
  private final Predicate<PeerId> verified;

  private MvProviderStore(
      DataStore store,
      boolean ownsStore,
      Clock clock,
      Duration validity,
      Duration addrsValidity,
      int maxKeys,
      int maxPerKey,
      Predicate<PeerId> verified) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.verified = verified;
    this.providers = store.map(MAP);
    this.clock = clock;
    this.validity = validity;
    this.addrsValidity = addrsValidity;
    this.maxKeys = maxKeys;
    this.maxPerKey = maxPerKey;
  }

  /**
   * Opens (creating if absent) the store file; every provider counts as verified (a full key
   * refuses newcomers).
   *
   * @throws org.chorus.dht.store.StoreException if the file cannot be opened (see {@link MvStores})
   */
  public static MvProviderStore open(
      Path file,
      Clock clock,
      Duration validity,
      Duration addrsValidity,
      int maxKeys,
      int maxPerKey) {
    return open(file, clock, validity, addrsValidity, maxKeys, maxPerKey, p -> true);
  }

  /**
   * As {@link #open(Path, Clock, Duration, Duration, int, int)}, on its own data store file (tests;
   * closing the store closes the file); {@code verified} says which providers a full key never
   * evicts (called under the store's lock: quick, no calls back).
   */
  public static MvProviderStore open(
      Path file,
      Clock clock,
      Duration validity,
      Duration addrsValidity,
      int maxKeys,
      int maxPerKey,
      Predicate<PeerId> verified) {
    check(verified, validity, addrsValidity, maxKeys, maxPerKey);
    return new MvProviderStore(
        DataStore.open(file, DEFAULT_CACHE_MB),
        true,
        clock,
        validity,
        addrsValidity,
        maxKeys,
        maxPerKey,
        verified);
  }

  private static void check(
      Predicate<PeerId> verified,
      Duration validity,
      Duration addrsValidity,
      int maxKeys,
      int maxPerKey) {
    Objects.requireNonNull(verified, "verified");
    if (maxKeys <= 0 || maxPerKey <= 0 || validity.isNegative() || addrsValidity.isNegative()) {
      throw new IllegalArgumentException("caps and validities must be positive");
    }
  }

  /** Opens the store on its own file {@code <dataDir>/kad-providers.mv.db} (tests). */
  public static MvProviderStore openInDataDir(Path dataDir, Clock clock) {
    return open(
        dataDir.resolve(FILE_NAME),
        clock,
        DEFAULT_VALIDITY,
        DEFAULT_ADDRS_VALIDITY,
        DEFAULT_MAX_KEYS,
        DEFAULT_MAX_PER_KEY,
        p -> true);
  }

  /**
   * Opens the store with the default validities and caps on the node's data store, which it shares
   * (and does not close), never evicting the {@code verified} providers.
   */
  public static MvProviderStore open(DataStore store, Clock clock, Predicate<PeerId> verified) {
    return new MvProviderStore(
        store,
        false,
        clock,
        DEFAULT_VALIDITY,
        DEFAULT_ADDRS_VALIDITY,
        DEFAULT_MAX_KEYS,
        DEFAULT_MAX_PER_KEY,
        verified);
  }

  @Override
  public AddOutcome add(byte[] key, KadPeer provider) {
    long ticket;
    boolean known;
    synchronized (this) {
      Instant now = clock.instant();
      String k = HEX.formatHex(key);
      byte[] stored = providers.get(k);
      List<Provider> forKey;
      if (stored == null) {
        if (providers.size() >= maxKeys && dropExpired() == 0) {
          refused.incrementAndGet();
          return AddOutcome.KEY_LIMIT;
        }
        forKey = new ArrayList<>();
      } else {
        forKey = decode(stored);
      }
      known = forKey.stream().anyMatch(p -> p.id().equals(provider.id()));
      if (!known && forKey.size() >= maxPerKey) {
        forKey.removeIf(p -> expired(p, now));
        if (forKey.size() >= maxPerKey) {
          PeerId victim = InMemoryProviderStore.oldestUnverified(forKey, verified);
          if (victim == null) {
            refused.incrementAndGet();
            return AddOutcome.PROVIDER_LIMIT;
          }
          forKey.remove(indexOf(forKey, victim));
          evicted.incrementAndGet();
        }
      }
      List<Multiaddr> addrs = provider.addrs();
      if (addrs.size() > MAX_ADDRS) {
        addrs = addrs.subList(0, MAX_ADDRS);
      }
      Provider fresh = new Provider(provider.id(), addrs, now);
      // a refresh keeps the provider's place (insertion order), as a LinkedHashMap put does
      int at = indexOf(forKey, provider.id());
      if (at >= 0) {
        forKey.set(at, fresh);
      } else {
        forKey.add(fresh);
      }
      providers.put(k, encode(forKey));
      ticket = store.register();
    }
    sync(ticket);
    return known ? AddOutcome.REFRESHED : AddOutcome.ADDED;
  }

  @Override
  public List<KadPeer> get(byte[] key) {
    Instant now = clock.instant();
    return providers(key).stream()
        .map(
            p ->
                new KadPeer(
                    p.id(), now.isBefore(p.addedAt().plus(addrsValidity)) ? p.addrs() : List.of()))
        .toList();
  }

  @Override
  public List<Provider> providers(byte[] key) {
    byte[] stored = providers.get(HEX.formatHex(key));
    if (stored == null) {
      return List.of();
    }
    Instant now = clock.instant();
    return decode(stored).stream().filter(p -> !expired(p, now)).toList();
  }

  @Override
  public int expire() {
    int removed;
    long ticket;
    synchronized (this) {
      removed = dropExpired();
      if (removed == 0) {
        return 0;
      }
      ticket = store.register();
    }
    sync(ticket);
    return removed;
  }

  @Override
  public int size() {
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

  /** Closes the data store if it opened it. */
  @Override
  public synchronized void close() {
    if (ownsStore) {
      store.close();
    }
  }

  // caller holds the lock; the caller syncs
  private int dropExpired() {
    Instant now = clock.instant();
    int removed = 0;
    for (Map.Entry<String, byte[]> e : new ArrayList<>(providers.entrySet())) {
      List<Provider> forKey = decode(e.getValue());
      int before = forKey.size();
      forKey.removeIf(p -> expired(p, now));
      if (forKey.size() == before) {
        continue;
      }
      removed += before - forKey.size();
      if (forKey.isEmpty()) {
        providers.remove(e.getKey());
      } else {
        providers.put(e.getKey(), encode(forKey));
      }
    }
    return removed;
  }

  private static int indexOf(List<Provider> forKey, PeerId id) {
    for (int i = 0; i < forKey.size(); i++) {
      if (forKey.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private void sync(long ticket) {
    store.awaitDurable(ticket);
  }

  private boolean expired(Provider p, Instant now) {
    return !now.isBefore(p.addedAt().plus(validity));
  }

  // layout: count (int); per provider: peer id (len + bytes), addedAt seconds (long) and nanos
  // (int), address count (int), per address (len + bytes)
  private static byte[] encode(List<Provider> forKey) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(forKey.size());
      for (Provider p : forKey) {
        writeBytes(out, p.id().toBytes());
        out.writeLong(p.addedAt().getEpochSecond());
        out.writeInt(p.addedAt().getNano());
        out.writeInt(p.addrs().size());
        for (Multiaddr a : p.addrs()) {
          writeBytes(out, a.toBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static List<Provider> decode(byte[] stored) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      int n = in.readInt();
      List<Provider> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        PeerId id = PeerId.fromBytes(readBytes(in));
        Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
        int addrCount = in.readInt();
        List<Multiaddr> addrs = new ArrayList<>(addrCount);
        for (int j = 0; j < addrCount; j++) {
          addrs.add(Multiaddr.fromBytes(readBytes(in)));
        }
        out.add(new Provider(id, addrs, at));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to decode stored provider records", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    return in.readNBytes(in.readInt());
  }
}
