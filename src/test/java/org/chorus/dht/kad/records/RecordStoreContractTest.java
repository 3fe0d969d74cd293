package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.chorus.dht.kad.wire.KadRecord;
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
}
