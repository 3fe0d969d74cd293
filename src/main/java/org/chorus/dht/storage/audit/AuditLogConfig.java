package org.chorus.dht.storage.audit;

import java.nio.file.Path;

/**
 * Knobs of {@link AuditLog}. Immutable; {@link #validate()} is called by {@link AuditLog#open}.
 *
 * @param dataDir directory holding {@link #FILE_NAME} and {@link #CHECKPOINT_FILE_NAME}
 * @param nodeId written as {@code node} in every line
 * @param sync durability of an append, see {@link SyncPolicy}
 * @param maxLineBytes longest line written or accepted by {@link AuditLog#verify()}
 * @param checkpointEvery event lines between two signed checkpoints (a checkpoint is also written
 *     when the log is opened on a new or unanchored file and when it is closed)
 */
public record AuditLogConfig(
    Path dataDir, String nodeId, SyncPolicy sync, int maxLineBytes, int checkpointEvery) {

  public static final String FILE_NAME = "audit.log";

  /** The last signed checkpoint, replaced atomically (see {@link AuditLog}). */
  public static final String CHECKPOINT_FILE_NAME = "audit.checkpoint";

  /** Audit lines are as durable as the data they describe. */
  public static final SyncPolicy DEFAULT_SYNC = SyncPolicy.GROUP;

  /**
   * 64 KiB: room for every string field at {@link AuditLog#MAX_FIELD_CHARS} even if each character
   * is escaped as {@code \}{@code uXXXX}, so an append with the default never fails for size.
   */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;

  /**
   * 100: a checkpoint costs one signature and three syncs (log, checkpoint file, directory), about
   * 1% on top of the syncs of the lines; after a crash at most 99 lines are not yet covered.
   */
  public static final int DEFAULT_CHECKPOINT_EVERY = 100;

  /** Upper bound of {@link #checkpointEvery}: beyond it a crash leaves too much uncovered. */
  public static final int MAX_CHECKPOINT_EVERY = 1_000_000;

  /** When an append is made durable. */
  public enum SyncPolicy {
    /**
     * {@code fsync} before {@link AuditLog#append} returns; concurrent appends share one sync
     * (group commit), so the cost under load is close to that of {@link #NONE}.
     */
    GROUP,
    /**
     * Written to the OS before {@link AuditLog#append} returns and synced only at a checkpoint and
     * on close: survives a process crash, not a power loss or kernel crash.
     */
    NONE
  }

  /** Defaults for everything but the directory and node id. */
  public static AuditLogConfig defaults(Path dataDir, String nodeId) {
    return new AuditLogConfig(
        dataDir, nodeId, DEFAULT_SYNC, DEFAULT_MAX_LINE_BYTES, DEFAULT_CHECKPOINT_EVERY);
  }

  public AuditLogConfig withSync(SyncPolicy value) {
    return new AuditLogConfig(dataDir, nodeId, value, maxLineBytes, checkpointEvery);
  }

  public AuditLogConfig withMaxLineBytes(int value) {
    return new AuditLogConfig(dataDir, nodeId, sync, value, checkpointEvery);
  }

  public AuditLogConfig withCheckpointEvery(int value) {
    return new AuditLogConfig(dataDir, nodeId, sync, maxLineBytes, value);
  }

  public Path file() {
    return dataDir.resolve(FILE_NAME);
  }

  public Path checkpointFile() {
    return dataDir.resolve(CHECKPOINT_FILE_NAME);
  }

  /**
   * @return this
   * @throws IllegalArgumentException naming the first bad field
   */
  public AuditLogConfig validate() {
    if (dataDir == null) {
      throw new IllegalArgumentException("invalid AuditLogConfig: dataDir must be set");
    }
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("invalid AuditLogConfig: nodeId must not be blank");
    }
    if (sync == null) {
      throw new IllegalArgumentException("invalid AuditLogConfig: sync must be set");
    }
    if (maxLineBytes < 512) {
      throw new IllegalArgumentException(
          "invalid AuditLogConfig: maxLineBytes must be at least 512, was " + maxLineBytes);
    }
    if (checkpointEvery < 1 || checkpointEvery > MAX_CHECKPOINT_EVERY) {
      throw new IllegalArgumentException(
          "invalid AuditLogConfig: checkpointEvery must be between 1 and "
              + MAX_CHECKPOINT_EVERY
              + ", was "
              + checkpointEvery);
    }
    return this;
  }
}
