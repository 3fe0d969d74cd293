package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InMemoryRecordStoreTest extends RecordStoreContractTest {
  @Override
  RecordStore create(int maxRecords) {
    return new InMemoryRecordStore(clock, RecordStore.DEFAULT_EXPIRY, maxRecords);
  }

  @Test
  void countsRefusals() {
    InMemoryRecordStore s = new InMemoryRecordStore(clock, RecordStore.DEFAULT_EXPIRY, 1);
    s.put(rec("/CHORUS/a", "1"));
    s.put(rec("/CHORUS/b", "1"));
    assertThat(s.refusedFull()).isEqualTo(1);
  }
}
