package org.chorus.dht.kad.records;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.crypto.IdentityKey;

/**
 * Jazzer target for the peer record decoder and validator: any value under a peer's key is accepted
 * only if it is a validly signed record, else refused with {@link InvalidRecordException}; nothing
 * else (NPE, index errors, OOM) may escape, and select never picks an invalid value.
 */
class PeerRecordFuzzTest {
  static final IdentityKey NODE = IdentityKey.fromSeed(new byte[32]);
  static final byte[] KEY = PeerRecord.dhtKey(NODE.peerId());
  static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");
  static final byte[] VALID =
      PeerRecord.of("chorus-dht/fuzz", "", List.of("go"), List.of(), T0, 1).sign(NODE);
  static final PeerRecordValidator VALIDATOR =
      new PeerRecordValidator(
          java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC),
          role -> Optional.of(PeerRecordTest.QA.publicKey()));

  @FuzzTest(maxDuration = "60s")
  void peerRecord(byte[] data) {
    try {
      PeerRecord.Verified v = PeerRecord.verify(KEY, data);
      v.roleClaimVerifies(PeerRecordTest.QA.publicKey());
    } catch (InvalidRecordException expected) {
      // refused
    }
    if (VALIDATOR.select(KEY, List.of(data, VALID)) == 0) {
      VALIDATOR.validate(KEY, data); // selected, so it must be valid
    }
  }
}
