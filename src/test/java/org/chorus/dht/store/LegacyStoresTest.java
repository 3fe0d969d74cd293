package org.chorus.dht.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving the separate store files of earlier versions into the one data store. */
class LegacyStoresTest {

  static final Path FIXTURE = Paths.get("src/test/resources/upgrade/datadir-0.1.0");

  @TempDir Path dir;

  @Test
  void everyMapOfEveryOldFileArrivesEntryForEntryUnderItsPrefix() throws Exception {
    Map<String, Map<Object, Object>> expected = new HashMap<>();
    for (LegacyStores.Legacy legacy : LegacyStores.FILES) {
      Path old = FIXTURE.resolve(legacy.fileName());
      assertThat(old).as("the fixture holds every old file").isRegularFile();
      Files.copy(old, dir.resolve(legacy.fileName()));
      MVStore source = new MVStore.Builder().fileName(old.toString()).readOnly().open();
      try {
        for (String name : source.getMapNames()) {
          expected.put(legacy.prefix() + name, new HashMap<>(source.openMap(name)));
        }
      } finally {
        source.closeImmediately();
      }
    }
    assertThat(expected.values().stream().mapToInt(Map::size).sum())
        .as("the fixture is not empty")
        .isGreaterThan(10);

    try (DataStore data = DataStore.openInDataDir(dir)) {
      for (Map.Entry<String, Map<Object, Object>> e : expected.entrySet()) {
        MVMap<Object, Object> moved = data.map(e.getKey());
        assertThat(moved.size()).as(e.getKey()).isEqualTo(e.getValue().size());
        for (Map.Entry<Object, Object> entry : e.getValue().entrySet()) {
          assertThat(moved.get(entry.getKey())).as(e.getKey()).isEqualTo(entry.getValue());
        }
      }
      assertThat(LegacyStores.markers(data)).hasSize(LegacyStores.FILES.size());
    }
    for (LegacyStores.Legacy legacy : LegacyStores.FILES) {
      assertThat(dir.resolve(legacy.fileName())).doesNotExist();
      assertThat(dir.resolve(legacy.fileName() + LegacyStores.MOVED_SUFFIX)).isRegularFile();
    }
    // reopened: nothing left to move, the moved data is still there
    try (DataStore data = DataStore.openInDataDir(dir)) {
      assertThat(LegacyStores.migrate(dir, data)).isEmpty();
      for (Map.Entry<String, Map<Object, Object>> e : expected.entrySet()) {
        assertThat(data.map(e.getKey()).size()).as(e.getKey()).isEqualTo(e.getValue().size());
      }
    }
  }

  @Test
  void aCopyInterruptedBeforeItsMarkerIsRedoneNotDoubled() throws Exception {
    Path old = dir.resolve("replication.mv.db");
    MVStore legacy = new MVStore.Builder().fileName(old.toString()).open();
    MVMap<String, String> states = legacy.openMap("states");
    states.put("a", "1");
    states.put("b", "2");
    legacy.close();
    // a crash left a partial, unmarked copy with a stale entry in the target map
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      data.<String, String>map("replication.states").put("stale", "x");
      data.commit();
    }
    try (DataStore data = DataStore.openInDataDir(dir)) {
      MVMap<String, String> moved = data.map("replication.states");
      assertThat(moved).containsOnlyKeys("a", "b");
    }
  }

  @Test
  void aMarkedFileStillInPlaceIsOnlyRenamed() throws Exception {
    Path old = dir.resolve("dht.mv.db");
    MVStore legacy = new MVStore.Builder().fileName(old.toString()).open();
    legacy.<String, String>openMap("values").put("k", "old");
    legacy.close();
    // a crash after the marker was committed, before the rename; the value changed since
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      data.<String, String>map("dht.values").put("k", "newer");
      data.<String, Long>map(LegacyStores.MARKERS).put("dht.mv.db", 1L);
      data.commit();
    }
    try (DataStore data = DataStore.openInDataDir(dir)) {
      assertThat(data.<String, String>map("dht.values").get("k")).isEqualTo("newer");
    }
    assertThat(old).doesNotExist();
    assertThat(dir.resolve("dht.mv.db" + LegacyStores.MOVED_SUFFIX)).isRegularFile();
  }

  @Test
  void aDamagedOldFileStopsTheOpenAndStaysInPlace() throws Exception {
    Path old = dir.resolve("index.mv.db");
    Files.write(old, "not an mvstore file at all".repeat(200).getBytes());
    assertThatThrownBy(() -> DataStore.openInDataDir(dir))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("index.mv.db")
        .hasMessageContaining("left in place");
    assertThat(old).isRegularFile();
  }
}
