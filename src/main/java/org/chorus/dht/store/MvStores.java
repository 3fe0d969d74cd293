package org.chorus.dht.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Opens the H2 MVStore files of the data directory.
 *
 * <p>Crash safety comes from the MVStore file format: it is append-only with checksummed chunk
 * headers and footers, and on open it uses the newest complete chunk. A write torn by a crash (a
 * partial last chunk) is therefore rolled back to the last commit; since writers acknowledge only
 * after commit and {@code fsync} (see {@link GroupCommit}), nothing acknowledged is lost.
 *
 * <p>A file that cannot be opened at all (not an MVStore, damaged header, written by an
 * incompatible H2 version, locked by another process) is never deleted or repaired here: {@link
 * #open} fails with {@link StoreOpenException} naming the file, and the operator decides (move it
 * aside to start empty, or restore a backup). Silently starting empty would lose data.
 *
 * <p><b>Disk use.</b> MVStore is copy-on-write: every commit appends the pages it changed (for the
 * metadata index about 25-40 KiB per single-entry commit, measured) and the space of dead chunks is
 * reused only after H2's retention time (45 s by default; shorter is unsafe while the background
 * writer commits without fsync). So a file holds its live data plus up to roughly 45 s of writes,
 * more right after a burst; background housekeeping and the compaction on {@link #close(MVStore)}
 * shrink it again.
 *
 * <p>Stateless and thread-safe.
 */
public final class MvStores {

  private MvStores() {}

  /**
   * Opens (creating if absent) an MVStore file, creating the parent directory as needed.
   *
   * @param cacheSizeMb the page cache, which bounds the store's heap use
   * @param compress LZF-compress pages: worth it for text-like data (index keys shrink 3-5x), not
   *     for ciphertext
   * @throws StoreOpenException if the directory cannot be created or the file cannot be opened
   */
  public static MVStore open(Path file, int cacheSizeMb, boolean compress) {
    return open(file, cacheSizeMb, compress, 0);
  }

  /**
   * As {@link #open(Path, int, boolean)}, with a page split size.
   *
   * @param pageSplitBytes pages larger than this are split; 0 for H2's default (16 KiB). Every
   *     commit rewrites each changed leaf and its path to the root, so for small keys a smaller
   *     page (4 KiB) means less written per single-entry commit.
   */
  public static MVStore open(Path file, int cacheSizeMb, boolean compress, int pageSplitBytes) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreOpenException(
          "failed to create data directory for " + file + ": " + e.getMessage(), e);
    }
    try {
      MVStore.Builder builder = new MVStore.Builder();
      if (compress) {
        builder.compress();
      }
      if (pageSplitBytes > 0) {
        builder.pageSplitSize(pageSplitBytes);
      }
      return builder
          .fileName(file.toString())
          .cacheSize(cacheSizeMb)
          .backgroundExceptionHandler(
              (thread, e) ->
                  System.getLogger(MvStores.class.getName())
                      .log(System.Logger.Level.ERROR, "MVStore background error in " + file, e))
          .open();
    } catch (MVStoreException e) {
      throw new StoreOpenException(
          "failed to open store "
              + file
              + ": "
              + e.getMessage()
              + " (the file is damaged, locked by another process or written by an incompatible"
              + " H2 version; move it aside to start empty, or restore a backup)",
          e);
    }
  }

  /**
   * Commits pending changes and closes, giving MVStore up to {@link #CLOSE_COMPACTION_MILLIS} to
   * rewrite sparsely used chunks so the file shrinks.
   */
  public static void close(MVStore store) {
    store.close(CLOSE_COMPACTION_MILLIS);
  }

  /** Housekeeping time allowed when closing a store. */
  public static final int CLOSE_COMPACTION_MILLIS = 500;

  /** A store file could not be opened. */
  public static final class StoreOpenException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreOpenException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
