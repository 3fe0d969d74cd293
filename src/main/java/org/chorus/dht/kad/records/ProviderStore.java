package org.chorus.dht.kad.records;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Provider records: for a key (a multihash, as on the wire) the peers that said they provide it,
 * with the addresses they gave and when. A record is valid {@link #DEFAULT_VALIDITY} after its last
 * ADD_PROVIDER; its addresses are handed out only for {@link #DEFAULT_ADDRS_VALIDITY}
 * (go-libp2p-kad-dht's provide validity and provider-address TTL). Implementations are bounded
 * (named caps below) and thread-safe: {@link InMemoryProviderStore} and {@link MvProviderStore}.
 *
 * <p>Full key: when a key has its {@code maxPerKey} providers and a new one arrives, the oldest
 * (least recently added or refreshed) provider that is not <em>verified</em> makes room for it; a
 * verified one is never evicted, so when every slot is verified the newcomer is refused ({@link
 * AddOutcome#PROVIDER_LIMIT}). "Verified" is a predicate the node injects (a peer whose peer record
 * proves its role claim); fake identities, however many, then only push each other out. Without a
 * predicate every provider counts as verified: a full key refuses newcomers.
 */
public interface ProviderStore {
  Duration DEFAULT_VALIDITY = Duration.ofHours(48);
  Duration DEFAULT_ADDRS_VALIDITY = Duration.ofHours(24);

  /** Named cap: providers kept per key. */
  int DEFAULT_MAX_PER_KEY = 64;

  /** Named cap: keys kept. */
  int DEFAULT_MAX_KEYS = 100_000;

  /** Named cap: addresses kept per provider (more are dropped). */
  int MAX_ADDRS = 16;

  /** What {@link #add} did. */
  enum AddOutcome {
    ADDED,
    REFRESHED,
    KEY_LIMIT,
    PROVIDER_LIMIT
  }

  /** One provider record. */
  record Provider(PeerId id, List<Multiaddr> addrs, Instant addedAt) {
    public Provider {
      addrs = List.copyOf(addrs);
    }
  }

  /** Records {@code provider} (id and addresses) for {@code key} now, or refreshes it. */
  AddOutcome add(byte[] key, KadPeer provider);

  /**
   * The valid providers of {@code key} as kad peers, oldest first; one whose addresses are older
   * than the address validity comes without addresses.
   */
  List<KadPeer> get(byte[] key);

  /** The valid provider records of {@code key} with their addresses and time added. */
  List<Provider> providers(byte[] key);

  /** Drops expired provider records and keys left empty; returns how many records went. */
  int expire();

  /** Keys with at least one provider record (expired ones not yet dropped included). */
  int size();

  /** ADD_PROVIDERs refused by a cap (a rejection metric). */
  long refused();

  /** Unverified providers evicted from a full key to make room for a newcomer. */
  long evicted();
}
