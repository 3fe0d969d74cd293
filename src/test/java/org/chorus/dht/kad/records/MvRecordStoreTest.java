package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvRecordStoreTest extends RecordStoreContractTest {
  @TempDir Path dir;
  private final List<MvRecordStore> opened = new ArrayList<>();

  @Override
  RecordStore create(int maxRecords) {
    return open(maxRecords);
  }

  private MvRecordStore open(int maxRecords) {
    MvRecordStore s =
        MvRecordStore.open(
            dir.resolve(MvRecordStore.FILE_NAME), clock, RecordStore.DEFAULT_EXPIRY, maxRecords);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(MvRecordStore::close);
  }

  @Test
  void survivesRestart_withTimeReceivedAndStoredTime() {
    MvRecordStore s = open(10);
    s.put(rec("/CHORUS/a", "1"));
    s.put(rec("/CHORUS/b", "2"));
    s.remove(k("/CHORUS/b"));
    s.close();

    clock.advance(Duration.ofHours(47));
    MvRecordStore reopened = open(10);
    assertThat(reopened.size()).isEqualTo(1);
    assertThat(reopened.get(k("/CHORUS/a"))).contains(rec("/CHORUS/a", "1"));
    assertThat(reopened.get(k("/CHORUS/b"))).isEmpty();
    clock.advance(Duration.ofHours(1));
    assertThat(reopened.get(k("/CHORUS/a"))).isEmpty();
    assertThat(reopened.expire()).isEqualTo(1);
    reopened.close();
    assertThat(open(10).size()).isZero();
  }

  @Test
  void chargesSurviveRestart_andTheQuotaStillHolds() {
    RecordStore.Quota quota = new RecordStore.Quota(2, Long.MAX_VALUE);
    MvRecordStore s = open(10);
    s.putFor(ALICE, rec("/CHORUS/a", "1"), quota);
    s.putFor(ALICE, rec("/CHORUS/b", "22"), quota);
    s.putFor(BOB, rec("/CHORUS/c", "3"), quota);
    s.put(rec("/CHORUS/c", "mine"));
    s.close();

    MvRecordStore reopened = open(10);
    assertThat(reopened.usage(ALICE)).isEqualTo(new RecordStore.Usage(2, 10 + 11));
    assertThat(reopened.usage(BOB)).isEqualTo(RecordStore.Usage.NONE);
    assertThat(reopened.putFor(ALICE, rec("/CHORUS/d", "1"), quota))
        .isEqualTo(RecordStore.PutOutcome.OVER_QUOTA);
    assertThat(reopened.refusedQuota()).isEqualTo(1);
    reopened.remove(k("/CHORUS/a"));
    reopened.close();
    assertThat(open(10).usage(ALICE).records()).isEqualTo(1);
  }

  @Test
  void countsRefusals() {
    MvRecordStore s = open(1);
    s.put(rec("/CHORUS/a", "1"));
    s.put(rec("/CHORUS/b", "1"));
    assertThat(s.refusedFull()).isEqualTo(1);
  }

  @Test
  void openInDataDirUsesTheConventionalFile() {
    MvRecordStore s = MvRecordStore.openInDataDir(dir.resolve("data"), clock);
    opened.add(s);
    s.put(rec("/CHORUS/a", "1"));
    assertThat(dir.resolve("data").resolve(MvRecordStore.FILE_NAME)).exists();
  }
}
