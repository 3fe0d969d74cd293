package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.chorus.dht.testing.TestRoles;
import org.junit.jupiter.api.Test;

/** Verified peers: a proven role claim in this node's record store, nothing else. */
class ProvenPeersTest {
  static final String ROLE = "senior_architect";
  final SteppingClock clock = new SteppingClock(Instant.parse("2026-11-24T12:00:00Z"));
  final InMemoryRecordStore records = new InMemoryRecordStore(clock);
  final AtomicReference<Optional<byte[]>> roleKey =
      new AtomicReference<>(Optional.of(TestRoles.signer(ROLE).publicKey()));
  final ProvenPeers proven = new ProvenPeers(records, role -> roleKey.get(), clock);

  byte[] store(IdentityKey peer, String role, EnvelopeSigner signer) {
    PeerRecord r =
        PeerRecord.of(
            "test",
            role,
            List.of("go"),
            List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")),
            clock.instant(),
            1);
    byte[] value = role.isEmpty() ? r.sign(peer) : r.sign(peer, signer::sign);
    records.put(new KadRecord(PeerRecord.dhtKey(peer.peerId()), value));
    return value;
  }

  @Test
  void aProvenRoleClaimIsVerified_untilTheRecordExpires() {
    IdentityKey peer = IdentityKey.generate();
    store(peer, ROLE, TestRoles.signer(ROLE));
    assertThat(proven.test(peer.peerId())).isTrue();
    assertThat(proven.test(peer.peerId())).as("cached").isTrue();
    clock.advance(PeerRecord.DEFAULT_LIFETIME.plus(Duration.ofSeconds(1)));
    assertThat(proven.test(peer.peerId())).isFalse();
  }

  @Test
  void noRecord_noRole_anotherRolesKey_orAnUnknownRoleKeyIsNotVerified() {
    assertThat(proven.test(IdentityKey.generate().peerId())).isFalse();

    IdentityKey noRole = IdentityKey.generate();
    store(noRole, "", null);
    assertThat(proven.test(noRole.peerId())).isFalse();

    IdentityKey outsider = IdentityKey.generate();
    store(outsider, ROLE, TestRoles.signer("backend_developer")); // a key, not the role's
    assertThat(proven.test(outsider.peerId())).isFalse();

    IdentityKey peer = IdentityKey.generate();
    store(peer, ROLE, TestRoles.signer(ROLE));
    assertThat(proven.test(peer.peerId())).isTrue();
    roleKey.set(Optional.empty()); // the node no longer knows the role's key: unproven
    assertThat(proven.test(peer.peerId())).isFalse();
    roleKey.set(Optional.of(TestRoles.signer(ROLE).publicKey()));
    assertThat(proven.test(peer.peerId())).isTrue();
  }

  @Test
  void aChangedRecordIsCheckedAgain() {
    IdentityKey peer = IdentityKey.generate();
    store(peer, ROLE, TestRoles.signer(ROLE));
    assertThat(proven.test(peer.peerId())).isTrue();
    store(peer, "", null);
    assertThat(proven.test(peer.peerId())).isFalse();
  }
}
