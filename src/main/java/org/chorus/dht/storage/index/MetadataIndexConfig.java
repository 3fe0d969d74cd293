package org.chorus.dht.storage.index;

import java.nio.file.Path;

/**
 * Knobs of {@link MetadataIndex}. Immutable; validated by {@link MetadataIndex#open}.
 *
 * @param dataDir directory holding {@link #FILE_NAME}
 * @param maxEntries most entries held; a new address beyond it is rejected
 * @param cacheSizeMb MVStore page cache, which bounds the index's heap use
 */
public record MetadataIndexConfig(Path dataDir, long maxEntries, int cacheSizeMb) {

  /** The file of earlier versions (moved into the data store); an index opened alone uses it. */
  public static final String FILE_NAME = "index.mv.db";

  public static final long DEFAULT_MAX_ENTRIES = 1_000_000;

  public static final int DEFAULT_CACHE_SIZE_MB = 8;

  /** Longest content type or creator role accepted, in characters. */
  public static final int MAX_FIELD_LENGTH = 255;

  /** Most roles in {@code encryptedFor}. */
  public static final int MAX_ENCRYPTED_FOR = 256;

  public static MetadataIndexConfig defaults(Path dataDir) {
    return new MetadataIndexConfig(dataDir, DEFAULT_MAX_ENTRIES, DEFAULT_CACHE_SIZE_MB);
  }

  public MetadataIndexConfig withMaxEntries(long value) {
    return new MetadataIndexConfig(dataDir, value, cacheSizeMb);
  }

  public MetadataIndexConfig withCacheSizeMb(int value) {
    return new MetadataIndexConfig(dataDir, maxEntries, value);
  }

  public Path file() {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * @return this
   * @throws IllegalArgumentException naming the first bad field
   */
  public MetadataIndexConfig validate() {
    if (dataDir == null) {
      throw new IllegalArgumentException("invalid MetadataIndexConfig: dataDir must be set");
    }
    if (maxEntries <= 0) {
      throw new IllegalArgumentException(
          "invalid MetadataIndexConfig: maxEntries must be positive, was " + maxEntries);
    }
    if (cacheSizeMb <= 0) {
      throw new IllegalArgumentException(
          "invalid MetadataIndexConfig: cacheSizeMb must be positive, was " + cacheSizeMb);
    }
    return this;
  }
}
