package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.records.PeerRecord;
import org.chorus.dht.kad.records.PeerRecordValidator;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PUT_VALUE of peer records through the request handler: the higher sequence replaces the held
 * record, a lower one is refused as a rollback, expired records and role claims not signed by the
 * role's key are refused, and an expired held record no longer blocks a lower sequence.
 */
class PeerRecordPutTest {

  static final String ROLE = "senior_architect";
  static final IdentityKey ALICE = IdentityKey.generate();
  static final PeerId FROM = IdentityKey.generate().peerId();
  static final byte[] KEY = PeerRecord.dhtKey(ALICE.peerId());
  static final byte[] ROLE_SEED = seed();
  static final byte[] ROLE_KEY = Ed25519Keys.publicKey(ROLE_SEED);
  static final byte[] OUTSIDER_SEED = seed();

  final SteppingClock clock = new SteppingClock(Instant.parse("2026-11-24T12:00:00Z"));
  final InMemoryRecordStore records = new InMemoryRecordStore(clock, Duration.ofHours(48), 100);
  final List<Reason> refusals = new CopyOnWriteArrayList<>();
  KadRequestHandler handler;

  static byte[] seed() {
    byte[] s = new byte[32];
    new SecureRandom().nextBytes(s);
    return s;
  }

  @BeforeEach
  void setUp() {
    NamespacedValidator validator =
        new NamespacedValidator(
            Map.of(
                NamespacedValidator.CHORUS,
                new PeerRecordValidator(
                    clock, role -> role.equals(ROLE) ? Optional.of(ROLE_KEY) : Optional.empty())));
    handler =
        new KadRequestHandler(
            IdentityKey.generate().peerId(),
            List::of,
            id -> List.of(),
            records,
            validator,
            new InMemoryProviderStore(clock, Duration.ofHours(48), Duration.ofHours(24), 100, 10),
            (key, n) -> List.of(),
            clock,
            Duration.ofSeconds(10),
            (d, t) -> {},
            20);
    handler.setRecordListener(
        new RecordListener() {
          @Override
          public void refused(
              PeerId from, byte[] key, Source source, Reason reason, String detail) {
            refusals.add(reason);
          }
        });
  }

  byte[] record(long sequence, Instant at, byte[] roleSeed) {
    return PeerRecord.of(
            "chorus-dht/test",
            ROLE,
            List.of("architecture"),
            List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")),
            at,
            sequence)
        .sign(ALICE, m -> Ed25519Keys.sign(roleSeed, Ed25519Keys.publicKey(roleSeed), m));
  }

  byte[] record(long sequence) {
    return record(sequence, clock.instant(), ROLE_SEED);
  }

  void put(byte[] value) {
    handler.answer(FROM, KadCodec.encode(KadMessage.putValue(new KadRecord(KEY, value))));
  }

  /**
   * A PUT the handler refuses: the stream is reset (an exception here), or, when it holds a better
   * record, the answer carries that record instead of echoing the request.
   */
  Reason refusedPut(byte[] value) {
    int before = refusals.size();
    try {
      byte[] answer =
          handler
              .answer(FROM, KadCodec.encode(KadMessage.putValue(new KadRecord(KEY, value))))
              .orElseThrow();
      byte[] held = KadCodec.decode(answer).record().orElseThrow().value();
      assertThat(held)
          .as("the answer names the held record, not the refused one")
          .isNotEqualTo(value);
    } catch (InvalidRecordException reset) {
      // refused by resetting the stream
    }
    assertThat(refusals).hasSize(before + 1);
    return refusals.get(before);
  }

  long heldSequence() {
    return PeerRecord.verify(KEY, records.get(KEY).orElseThrow().value()).record().sequence();
  }

  @Test
  void aHigherSequenceReplacesTheHeldRecordAndALowerOneIsARollback() {
    put(record(5));
    assertThat(heldSequence()).isEqualTo(5);
    assertThat(refusedPut(record(3))).isEqualTo(Reason.ROLLBACK);
    assertThat(heldSequence()).isEqualTo(5);
    put(record(5)); // the same record again is fine
    clock.advance(Duration.ofMinutes(1));
    put(record(6));
    assertThat(heldSequence()).isEqualTo(6);
    // a lower sequence with a later timestamp is still a rollback: the sequence decides
    clock.advance(Duration.ofHours(1));
    assertThat(refusedPut(record(4))).isEqualTo(Reason.ROLLBACK);
    assertThat(heldSequence()).isEqualTo(6);
  }

  @Test
  void expiredRecordsAreRefusedAndAnExpiredHeldRecordBlocksNothing() {
    byte[] old = record(9);
    put(old);
    clock.advance(PeerRecord.DEFAULT_LIFETIME);
    assertThat(refusedPut(old)).isEqualTo(Reason.EXPIRED);
    // the held copy has expired too: it is no longer a valid record to roll back from
    put(record(2));
    assertThat(heldSequence()).isEqualTo(2);
  }

  @Test
  void aRoleClaimNotSignedByTheRolesKeyIsRefused() {
    assertThat(refusedPut(record(1, clock.instant(), OUTSIDER_SEED)))
        .isEqualTo(Reason.UNAUTHORIZED);
    assertThat(records.get(KEY)).isEmpty();
  }

  @Test
  void aRecordSignedByAnotherPeerIsRefused() {
    byte[] mallory =
        PeerRecord.of("x", "", List.of(), List.of(), clock.instant(), 1)
            .sign(IdentityKey.generate());
    assertThat(refusedPut(mallory)).isEqualTo(Reason.UNAUTHORIZED);
  }
}
