package org.chorus.dht.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one durable store: its commits, units of work and joined files. */
class DataStoreTest {

  @TempDir Path dir;

  @Test
  void aCommitOutsideAUnitIsDurableWhenItReturns() throws Exception {
    Path file = dir.resolve(DataStore.FILE_NAME);
    try (DataStore data = DataStore.open(file)) {
      data.<String, String>map("a.values").put("k", "v");
      long before = data.flushes();
      data.commit();
      assertThat(data.flushes()).isEqualTo(before + 1);
      // what the file holds while it is still open: the commit wrote it out
      assertThat(readBack(file, "a.values", "k")).isEqualTo("v");
    }
  }

  @Test
  void aUnitOfWorkMakesAllItsCommitsDurableWithOneFlushAtItsEnd() throws Exception {
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      MVMap<String, String> values = data.map("a.values");
      MVMap<String, String> index = data.map("b.index");
      AtomicInteger forced = new AtomicInteger();
      data.join(forced::incrementAndGet);
      long before = data.flushes();
      String result =
          data.durably(
              () -> {
                values.put("k", "v");
                data.commit();
                index.put("k", "entry");
                data.commit();
                data.durably(() -> data.awaitDurable(data.register())); // nested: no flush yet
                assertThat(data.flushes()).as("nothing flushed inside the unit").isEqualTo(before);
                return "done";
              });
      assertThat(result).isEqualTo("done");
      assertThat(data.flushes()).as("one flush for the whole unit").isEqualTo(before + 1);
      assertThat(forced).as("the joined file is forced at that flush").hasValue(1);
    }
  }

  @Test
  void aUnitThatThrowsStillMakesWhatItAppliedDurableThenRethrows() throws Exception {
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      long before = data.flushes();
      assertThatThrownBy(
              () ->
                  data.durably(
                      () -> {
                        data.<String, String>map("a.values").put("k", "v");
                        data.commit();
                        throw new IllegalStateException("refused after the write");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("refused after the write");
      assertThat(data.flushes()).isEqualTo(before + 1);
      // the unit is over: a commit now waits for its own flush again
      data.commit();
      assertThat(data.flushes()).isEqualTo(before + 2);
    }
  }

  @Test
  void aUnitWithoutCommitsFlushesNothing() throws Exception {
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      long before = data.flushes();
      data.durably(() -> data.<String, String>map("a.values").get("k"));
      assertThat(data.flushes()).isEqualTo(before);
    }
  }

  @Test
  void aFailingJoinedFileFailsTheCommitWithAStoreException() throws Exception {
    try (DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME))) {
      data.join(
          () -> {
            throw new IOException("disk gone");
          });
      data.<String, String>map("a.values").put("k", "v");
      assertThatThrownBy(data::commit)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("disk gone");
      assertThatThrownBy(() -> data.durably(data::commit))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(DataStore.FILE_NAME);
    }
  }

  @Test
  void closedItRefusesMapsWithAStoreExceptionAndClosingTwiceIsHarmless() {
    DataStore data = DataStore.open(dir.resolve(DataStore.FILE_NAME));
    data.close();
    data.close();
    assertThat(data.isOpen()).isFalse();
    assertThatThrownBy(() -> data.map("a.values")).isInstanceOf(StoreException.class);
  }

  /** Reads {@code key} from a copy of the file's bytes as they are now (the file is locked). */
  private static String readBack(Path file, String map, String key) throws IOException {
    Path copy = file.resolveSibling("copy-" + file.getFileName());
    java.nio.file.Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    MVStore view = new MVStore.Builder().fileName(copy.toString()).readOnly().open();
    try {
      return view.<String, String>openMap(map).get(key);
    } finally {
      view.closeImmediately();
    }
  }
}
