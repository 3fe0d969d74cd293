package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.chorus.dht.kad.records.RecordStore.PutOutcome;
import org.chorus.dht.kad.records.RecordStore.Quota;
import org.chorus.dht.kad.records.RecordStore.Usage;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;

/** What every {@link RecordStore} must do; one subclass per implementation. */
abstract class RecordStoreContractTest {
  final SteppingClock clock = new SteppingClock();

  /** A store with the default 48 h expiry and room for {@code maxRecords} keys. */
  abstract RecordStore create(int maxRecords);

  static KadRecord rec(String key, String value) {
    return new KadRecord(
        key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8),
        "2026-01-01T00:00:00.000000000Z");
  }

  static byte[] k(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putGetReplaceRemove() {
    RecordStore s = create(10);
    assertThat(s.get(k("/CHORUS/a"))).isEmpty();
    assertThat(s.put(rec("/CHORUS/a", "1"))).isEqualTo(RecordStore.PutOutcome.STORED);
    assertThat(s.get(k("/CHORUS/a"))).contains(rec("/CHORUS/a", "1"));
    s.put(rec("/CHORUS/a", "2"));
    assertThat(s.get(k("/CHORUS/a"))).contains(rec("/CHORUS/a", "2"));
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.remove(k("/CHORUS/a"))).isTrue();
    assertThat(s.remove(k("/CHORUS/a"))).isFalse();
    assertThat(s.size()).isZero();
  }

  @Test
  void valuesExpireAfter48Hours() {
    RecordStore s = create(10);
    s.put(rec("/CHORUS/a", "1"));
    clock.advance(Duration.ofHours(47));
    s.put(rec("/CHORUS/b", "1"));
    assertThat(s.get(k("/CHORUS/a"))).isPresent();
    clock.advance(Duration.ofHours(1));
    assertThat(s.get(k("/CHORUS/a"))).isEmpty();
    assertThat(s.get(k("/CHORUS/b"))).isPresent();
    assertThat(s.size()).isEqualTo(2);
    assertThat(s.expire()).isEqualTo(1);
    assertThat(s.size()).isEqualTo(1);
  }

  @Test
  void capPlusOneKeyIsRefused_butExistingKeysCanBeReplaced() {
    RecordStore s = create(3);
    for (int i = 0; i < 3; i++) {
      assertThat(s.put(rec("/CHORUS/" + i, "v"))).isEqualTo(RecordStore.PutOutcome.STORED);
    }
    assertThat(s.put(rec("/CHORUS/3", "v"))).isEqualTo(RecordStore.PutOutcome.FULL);
    assertThat(s.put(rec("/CHORUS/0", "w"))).isEqualTo(RecordStore.PutOutcome.STORED);
    clock.advance(Duration.ofHours(48));
    assertThat(s.put(rec("/CHORUS/3", "v"))).isEqualTo(RecordStore.PutOutcome.STORED);
  }

  static final PeerId ALICE = IdentityKey.generate().peerId();
  static final PeerId BOB = IdentityKey.generate().peerId();

  @Test
  void aPeerStopsAtItsRecordQuota_capPlusOneIsRefused() {
    RecordStore s = create(100);
    Quota quota = new Quota(3, Long.MAX_VALUE);
    for (int i = 0; i < 3; i++) {
      assertThat(s.putFor(ALICE, rec("/CHORUS/a" + i, "v"), quota)).isEqualTo(PutOutcome.STORED);
    }
    assertThat(s.putFor(ALICE, rec("/CHORUS/a3", "v"), quota)).isEqualTo(PutOutcome.OVER_QUOTA);
    assertThat(s.get(k("/CHORUS/a3"))).isEmpty();
    assertThat(s.usage(ALICE)).isEqualTo(new Usage(3, 3 * ("/CHORUS/a0".length() + 1)));
    // a republish or a newer value of a held key is no new record, whoever sends it
    assertThat(s.putFor(ALICE, rec("/CHORUS/a0", "v"), quota)).isEqualTo(PutOutcome.STORED);
    assertThat(s.putFor(BOB, rec("/CHORUS/a1", "vv"), quota)).isEqualTo(PutOutcome.STORED);
    assertThat(s.usage(ALICE).records()).isEqualTo(3);
    assertThat(s.usage(BOB)).isEqualTo(Usage.NONE);
    // another peer has a quota of its own
    assertThat(s.putFor(BOB, rec("/CHORUS/b0", "v"), quota)).isEqualTo(PutOutcome.STORED);
    // this node writing a key takes it off the peer's charge
    assertThat(s.put(rec("/CHORUS/a2", "mine"))).isEqualTo(PutOutcome.STORED);
    assertThat(s.usage(ALICE).records()).isEqualTo(2);
    assertThat(s.putFor(ALICE, rec("/CHORUS/a3", "v"), quota)).isEqualTo(PutOutcome.STORED);
  }

  @Test
  void aPeerStopsAtItsByteQuota_andTheChargeFollowsTheValue() {
    RecordStore s = create(100);
    Quota quota = new Quota(100, 30);
    assertThat(s.putFor(ALICE, rec("/CHORUS/x", "0123456789"), quota)) // 9 + 10 bytes
        .isEqualTo(PutOutcome.STORED);
    assertThat(s.putFor(ALICE, rec("/CHORUS/y", "0123456789"), quota))
        .isEqualTo(PutOutcome.OVER_QUOTA);
    assertThat(s.putFor(ALICE, rec("/CHORUS/y", "01"), quota)).isEqualTo(PutOutcome.STORED);
    assertThat(s.usage(ALICE)).isEqualTo(new Usage(2, 19 + 11));
    s.putFor(BOB, rec("/CHORUS/x", "0"), quota); // a smaller newer value, still ALICE's record
    assertThat(s.usage(ALICE)).isEqualTo(new Usage(2, 10 + 11));
  }

  @Test
  void removeAndExpiryReleaseTheCharge() {
    RecordStore s = create(100);
    Quota quota = new Quota(2, Long.MAX_VALUE);
    s.putFor(ALICE, rec("/CHORUS/a", "v"), quota);
    clock.advance(Duration.ofHours(24));
    s.putFor(ALICE, rec("/CHORUS/b", "v"), quota);
    assertThat(s.remove(k("/CHORUS/b"))).isTrue();
    assertThat(s.usage(ALICE).records()).isEqualTo(1);
    clock.advance(Duration.ofHours(24)); // a has expired: not held, not charged once dropped
    assertThat(s.putFor(BOB, rec("/CHORUS/a", "v"), quota)).isEqualTo(PutOutcome.STORED);
    assertThat(s.usage(ALICE)).isEqualTo(Usage.NONE);
    assertThat(s.usage(BOB).records()).isEqualTo(1);
    clock.advance(Duration.ofHours(48));
    assertThat(s.expire()).isEqualTo(1);
    assertThat(s.usage(BOB)).isEqualTo(Usage.NONE);
  }
}
