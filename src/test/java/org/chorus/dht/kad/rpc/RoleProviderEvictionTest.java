package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.PeerRecord;
import org.chorus.dht.kad.records.ProvenPeers;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.records.RecordGate;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.TestRoles;
import org.junit.jupiter.api.Test;

/**
 * A role's discovery key at the kad request handler, wired as a node wires it (the CHORUS
 * validators, a provider store that never evicts peers whose role claim is proven by their peer
 * record in the local record store): 64 fake identities cannot push a verified provider out.
 */
class RoleProviderEvictionTest {
  static final String ROLE = "senior_architect";

  /** The provider key of {@code CHORUS:role:senior_architect} (see {@code roles.DiscoveryKeys}). */
  static final byte[] ROLE_KEY =
      Dht.providerKey(("CHORUS:role:" + ROLE).getBytes(StandardCharsets.UTF_8));

  final Clock clock = Clock.systemUTC();
  final InMemoryRecordStore records = new InMemoryRecordStore(clock);
  final ProviderStore providers =
      new InMemoryProviderStore(
          clock,
          ProviderStore.DEFAULT_VALIDITY,
          ProviderStore.DEFAULT_ADDRS_VALIDITY,
          ProviderStore.DEFAULT_MAX_KEYS,
          ProviderStore.DEFAULT_MAX_PER_KEY,
          new ProvenPeers(records, TestRoles.AUTHORITY::signerKey, clock));
  final KadRequestHandler handler =
      new KadRequestHandler(
          IdentityKey.generate().peerId(),
          List::of,
          id -> List.of(),
          new RecordGate(records, ChorusValidators.create(TestRoles.AUTHORITY)),
          providers,
          (key, n) -> List.of(),
          clock,
          Duration.ofSeconds(10),
          (d, t) -> {},
          20);

  /** The peer announces itself as the role's nodes do: its peer record, then ADD_PROVIDER. */
  void announce(IdentityKey peer, EnvelopeSigner roleSigner) {
    PeerRecord r =
        PeerRecord.of(
            "test",
            ROLE,
            List.of(),
            List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")),
            clock.instant(),
            1);
    KadRecord rec = new KadRecord(PeerRecord.dhtKey(peer.peerId()), r.sign(peer, roleSigner::sign));
    try {
      handler.answer(peer.peerId(), KadCodec.encode(KadMessage.putValue(rec)));
    } catch (RuntimeException refused) {
      // a claim signed by another key is refused (UNAUTHORIZED): the provider record stays
    }
    KadPeer self = new KadPeer(peer.peerId(), List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")));
    handler.answer(peer.peerId(), KadCodec.encode(KadMessage.addProvider(ROLE_KEY, self)));
  }

  List<PeerId> providersOfTheRole() {
    byte[] answer =
        handler
            .answer(
                IdentityKey.generate().peerId(),
                KadCodec.encode(KadMessage.request(KadMessage.Type.GET_PROVIDERS, ROLE_KEY)))
            .orElseThrow();
    return KadCodec.decode(answer).providerPeers().stream().map(KadPeer::id).toList();
  }

  @Test
  void sixtyFourFakeIdentitiesCannotPushAVerifiedProviderOut() {
    IdentityKey honest = IdentityKey.generate();
    announce(honest, TestRoles.signer(ROLE));
    for (int i = 0; i < ProviderStore.DEFAULT_MAX_PER_KEY; i++) {
      // an outsider's own "senior_architect" key: its claim does not verify here
      announce(IdentityKey.generate(), TestRoles.signer("outsider_" + i % 2));
    }
    List<PeerId> listed = providersOfTheRole();
    assertThat(listed).hasSize(ProviderStore.DEFAULT_MAX_PER_KEY).contains(honest.peerId());
    assertThat(providers.evicted()).isEqualTo(1);

    // another 64 fakes later: they only push each other out
    for (int i = 0; i < ProviderStore.DEFAULT_MAX_PER_KEY; i++) {
      announce(IdentityKey.generate(), TestRoles.signer("outsider"));
    }
    assertThat(providersOfTheRole()).contains(honest.peerId());

    // a second verified provider of a full key takes a fake's slot
    IdentityKey second = IdentityKey.generate();
    announce(second, TestRoles.signer(ROLE));
    assertThat(providersOfTheRole()).contains(honest.peerId(), second.peerId());
  }
}
