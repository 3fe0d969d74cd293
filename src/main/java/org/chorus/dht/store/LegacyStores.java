package org.chorus.dht.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Moves the separate store files of earlier versions into the one {@link DataStore} file.
 *
 * <p>Up to this version each store had its file: {@code dht.mv.db}, {@code index.mv.db}, {@code
 * replication.mv.db}, {@code kad-records.mv.db}, {@code kad-providers.mv.db} and {@code
 * hybrid-pending.mv.db}. On open, each such file still present is copied map by map (keys and
 * values as stored, so every store reads them as before) into maps of the same name under the
 * store's prefix, and a marker for the file is written; the copy and the marker are committed and
 * synced together. Only then is the old file renamed to {@code <name>.migrated} (kept, for the
 * operator to delete). A crash at any point repeats at most the copy (the target maps are cleared
 * first) or only the rename (when the marker was committed), so nothing is lost or doubled.
 *
 * <p>Stateless.
 */
public final class LegacyStores {

  /** A file of an earlier version and the prefix its maps get here. */
  public record Legacy(String fileName, String prefix) {}

  /** The files moved, in this order. */
  public static final List<Legacy> FILES =
      List.of(
          new Legacy("dht.mv.db", "dht."),
          new Legacy("index.mv.db", "index."),
          new Legacy("replication.mv.db", "replication."),
          new Legacy("kad-records.mv.db", "kad.records."),
          new Legacy("kad-providers.mv.db", "kad.providers."),
          new Legacy("hybrid-pending.mv.db", "pending."));

  /** Suffix of a moved file. */
  public static final String MOVED_SUFFIX = ".migrated";

  /** The map of markers: old file name to the epoch millis of its move. */
  static final String MARKERS = "meta.migrated";

  /** Entries copied per commit, which bounds the heap a large file's copy needs. */
  static final int COPY_BATCH = 10_000;

  private static final System.Logger LOG = System.getLogger(LegacyStores.class.getName());

  private LegacyStores() {}

  /**
   * Moves every old store file of {@code dataDir} into {@code data}.
   *
   * @return the names of the files moved now
   * @throws StoreException if an old file cannot be read or renamed (it stays in place then, and
   *     the next start tries again)
   */
  public static List<String> migrate(Path dataDir, DataStore data) {
    List<String> moved = new ArrayList<>();
    MVMap<String, Long> markers = data.map(MARKERS);
    for (Legacy legacy : FILES) {
      Path old = dataDir.resolve(legacy.fileName());
      if (!Files.isRegularFile(old)) {
        continue;
      }
      if (!markers.containsKey(legacy.fileName())) {
        long entries = copy(old, legacy.prefix(), data);
        markers.put(legacy.fileName(), System.currentTimeMillis());
        data.commit();
        LOG.log(
            System.Logger.Level.INFO,
            "moved {0} ({1} entries) into {2}",
            old,
            entries,
            data.file().getFileName());
      }
      rename(old);
      moved.add(legacy.fileName());
    }
    return moved;
  }

  private static long copy(Path old, String prefix, DataStore data) {
    MVStore source;
    try {
      source = new MVStore.Builder().fileName(old.toString()).readOnly().open();
    } catch (MVStoreException e) {
      throw new StoreException(
          "failed to open the old store "
              + old
              + " to move it into "
              + data.file()
              + ": "
              + e.getMessage()
              + " (it is left in place; move it aside to start without its data)",
          e);
    }
    long entries = 0;
    try {
      for (String name : source.getMapNames()) {
        MVMap<Object, Object> from = source.openMap(name);
        MVMap<Object, Object> to = data.map(prefix + name);
        to.clear();
        Cursor<Object, Object> cursor = from.cursor(null);
        int batch = 0;
        while (cursor.hasNext()) {
          Object key = cursor.next();
          to.put(key, cursor.getValue());
          entries++;
          if (++batch == COPY_BATCH) {
            data.commit();
            batch = 0;
          }
        }
      }
    } catch (MVStoreException e) {
      throw new StoreException("failed to copy the old store " + old + ": " + e.getMessage(), e);
    } finally {
      source.closeImmediately();
    }
    return entries;
  }

  private static void rename(Path old) {
    Path target = old.resolveSibling(old.getFileName() + MOVED_SUFFIX);
    try {
      Files.move(old, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StoreException(
          "moved " + old + " into the data store but could not rename it to " + target + ": " + e,
          e);
    }
  }

  /** For tests: the markers written so far. */
  static Map<String, Long> markers(DataStore data) {
    return data.<String, Long>map(MARKERS);
  }
}
