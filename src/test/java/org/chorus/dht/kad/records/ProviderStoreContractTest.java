package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;

/** What every {@link ProviderStore} must do; one subclass per implementation. */
abstract class ProviderStoreContractTest {
  final SteppingClock clock = new SteppingClock();
  static final byte[] MH = {0x12, 0x20, 1, 2, 3};
  static final List<Multiaddr> ADDRS = List.of(Multiaddr.parse("/ip4/10.1.2.3/tcp/4001"));

  /** A store with the default validities and the given caps, every provider verified. */
  ProviderStore create(int maxKeys, int maxPerKey) {
    return create(maxKeys, maxPerKey, p -> true);
  }

  /** As {@link #create(int, int)}, never evicting the {@code verified} providers. */
  abstract ProviderStore create(int maxKeys, int maxPerKey, Predicate<PeerId> verified);

  ProviderStore create() {
    return create(ProviderStore.DEFAULT_MAX_KEYS, ProviderStore.DEFAULT_MAX_PER_KEY);
  }

  static KadPeer peer() {
    return new KadPeer(IdentityKey.generate().peerId(), ADDRS);
  }

  @Test
  void addressesGoAfter24Hours_recordsAfter48() {
    ProviderStore s = create();
    KadPeer p = peer();
    assertThat(s.add(MH, p)).isEqualTo(ProviderStore.AddOutcome.ADDED);
    assertThat(s.get(MH)).containsExactly(p);
    assertThat(s.providers(MH))
        .containsExactly(new ProviderStore.Provider(p.id(), ADDRS, clock.instant()));
    clock.advance(Duration.ofHours(24));
    assertThat(s.get(MH)).containsExactly(new KadPeer(p.id(), List.of()));
    clock.advance(Duration.ofHours(24));
    assertThat(s.get(MH)).isEmpty();
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.expire()).isEqualTo(1);
    assertThat(s.size()).isZero();
  }

  @Test
  void reAddingRefreshes() {
    ProviderStore s = create();
    KadPeer p = peer();
    s.add(MH, p);
    clock.advance(Duration.ofHours(40));
    assertThat(s.add(MH, p)).isEqualTo(ProviderStore.AddOutcome.REFRESHED);
    clock.advance(Duration.ofHours(40));
    assertThat(s.get(MH)).extracting(KadPeer::id).containsExactly(p.id());
  }

  @Test
  void capPlusOneProvidersAndKeysAreRefused() {
    ProviderStore s = create(2, 3);
    List<PeerId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      KadPeer p = peer();
      ids.add(p.id());
      assertThat(s.add(MH, p)).isEqualTo(ProviderStore.AddOutcome.ADDED);
    }
    assertThat(s.add(MH, peer())).isEqualTo(ProviderStore.AddOutcome.PROVIDER_LIMIT);
    assertThat(s.get(MH)).extracting(KadPeer::id).containsExactlyElementsOf(ids);
    assertThat(s.add(new byte[] {1}, peer())).isEqualTo(ProviderStore.AddOutcome.ADDED);
    assertThat(s.add(new byte[] {2}, peer())).isEqualTo(ProviderStore.AddOutcome.KEY_LIMIT);
    assertThat(s.refused()).isEqualTo(2);
    clock.advance(Duration.ofHours(48));
    assertThat(s.add(MH, peer())).isEqualTo(ProviderStore.AddOutcome.ADDED);
  }

  @Test
  void addressesAreCapped() {
    ProviderStore s = create();
    List<Multiaddr> many = new ArrayList<>();
    for (int i = 0; i < ProviderStore.MAX_ADDRS + 1; i++) {
      many.add(Multiaddr.parse("/ip4/10.0.0." + i + "/tcp/4001"));
    }
    s.add(MH, new KadPeer(IdentityKey.generate().peerId(), many));
    assertThat(s.get(MH).get(0).addrs()).hasSize(ProviderStore.MAX_ADDRS);
  }

  @Test
  void aFullKeyEvictsTheOldestUnverified_neverAVerifiedProvider() {
    Set<PeerId> verified = ConcurrentHashMap.newKeySet();
    ProviderStore s = create(10, 3, verified::contains);
    KadPeer fake1 = peer();
    KadPeer honest = peer();
    verified.add(honest.id());
    s.add(MH, fake1);
    clock.advance(Duration.ofMinutes(1));
    s.add(MH, honest);
    clock.advance(Duration.ofMinutes(1));
    KadPeer fake2 = peer();
    s.add(MH, fake2);
    clock.advance(Duration.ofMinutes(1));
    s.add(MH, fake1); // refreshed: now fake2 is the oldest unverified

    KadPeer fake3 = peer();
    assertThat(s.add(MH, fake3)).isEqualTo(ProviderStore.AddOutcome.ADDED);
    assertThat(s.get(MH))
        .extracting(KadPeer::id)
        .containsExactlyInAnyOrder(fake1.id(), honest.id(), fake3.id());
    assertThat(s.evicted()).isEqualTo(1);

    // all verified: a newcomer, verified or not, is refused
    verified.add(fake1.id());
    verified.add(fake3.id());
    KadPeer another = peer();
    verified.add(another.id());
    assertThat(s.add(MH, another)).isEqualTo(ProviderStore.AddOutcome.PROVIDER_LIMIT);
    assertThat(s.add(MH, peer())).isEqualTo(ProviderStore.AddOutcome.PROVIDER_LIMIT);
    assertThat(s.refused()).isEqualTo(2);
  }

  @Test
  void sixtyFourFakeIdentitiesCannotPushAVerifiedProviderOut() {
    KadPeer honest = peer();
    ProviderStore s =
        create(
            ProviderStore.DEFAULT_MAX_KEYS, ProviderStore.DEFAULT_MAX_PER_KEY, honest.id()::equals);
    s.add(MH, honest);
    for (int i = 0; i < 2 * ProviderStore.DEFAULT_MAX_PER_KEY; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(s.add(MH, peer())).isEqualTo(ProviderStore.AddOutcome.ADDED);
    }
    assertThat(s.get(MH)).hasSize(ProviderStore.DEFAULT_MAX_PER_KEY).contains(honest);
  }
}
