package org.chorus.dht.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable state store: due-time order, counts kept and rebuilt on reopen, paging. */
class ReplicationStateStoreTest {

  @TempDir Path dir;

  static KeyState state(String key, long due, int actual) {
    return new KeyState(key, 3, 1, 1, 0, due, 0, actual, false);
  }

  @Test
  void dueKeysComeEarliestFirstUpToTheLimit() {
    try (ReplicationStateStore store =
        ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME))) {
      store.putAll(
          List.of(state("c", 300, 3), state("a", 100, 3), state("b", 200, 3), state("d", 900, 3)),
          true);
      assertThat(store.due(250, 10)).extracting(KeyState::key).containsExactly("a", "b");
      assertThat(store.due(1000, 3)).extracting(KeyState::key).containsExactly("a", "b", "c");
      assertThat(store.earliestDue()).hasValue(100L);
      store.put(state("a", 950, 3), false);
      assertThat(store.due(1000, 10)).extracting(KeyState::key).containsExactly("b", "c", "d", "a");
      assertThat(store.size()).isEqualTo(4);
    }
  }

  @Test
  void countsFollowChangesAndSurviveAReopen() {
    try (ReplicationStateStore store =
        ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME))) {
      store.putAll(
          List.of(state("ok", 1, 3), state("deg", 1, 2), state("crit", 1, 1), state("new", 1, -1)),
          true);
      assertThat(store.underReplicated()).isEqualTo(2);
      assertThat(store.critical()).isEqualTo(1);
      store.update("deg", s -> s.withLastActual(0));
      assertThat(store.critical()).isEqualTo(2);
      assertThat(store.update("missing", s -> s)).isEmpty();
      assertThat(store.remove("crit")).isTrue();
      assertThat(store.remove("crit")).isFalse();
    }
    try (ReplicationStateStore store =
        ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME))) {
      assertThat(store.size()).isEqualTo(3);
      assertThat(store.underReplicated()).isEqualTo(1);
      assertThat(store.critical()).isEqualTo(1);
      assertThat(store.get("deg")).hasValueSatisfying(s -> assertThat(s.lastActual()).isZero());
    }
  }

  @Test
  void pagesWalkEveryKeyOnce() {
    try (ReplicationStateStore store =
        ReplicationStateStore.open(dir.resolve(ReplicationStateStore.FILE_NAME))) {
      for (int i = 0; i < 25; i++) {
        store.put(state(String.format("k%02d", i), i, 3), false);
      }
      assertThat(store.page(null, 10)).hasSize(10);
      assertThat(store.page("k09", 10)).extracting(KeyState::key).first().isEqualTo("k10");
      assertThat(store.page("k19", 10)).hasSize(5);
      assertThat(store.page("k24", 10)).isEmpty();
    }
  }
}
