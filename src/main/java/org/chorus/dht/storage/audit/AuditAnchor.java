package org.chorus.dht.storage.audit;

import java.util.Locale;

/**
 * How the log found at {@link AuditLog#open} relates to the last signed checkpoint ({@code
 * audit.checkpoint}): the finding of the start check. Immutable.
 *
 * @param state the finding
 * @param detail a sentence for operators: what was found and what it means
 * @param checkpoint the checkpoint the log was checked against (null when there was none or it
 *     could not be read)
 */
public record AuditAnchor(State state, String detail, AuditCheckpoint checkpoint) {

  /** What the start check found. The last five are tampering. */
  public enum State {
    /** No log and no checkpoint: a new log, anchored by a first checkpoint. */
    NEW(false),
    /** The log extends the signed checkpoint (lines after it are from a crash: not tampering). */
    ANCHORED(false),
    /**
     * A log without checkpoint file and without checkpoint lines, as written before checkpoints
     * existed: its chain is checked but nothing proves it is complete; a first checkpoint anchors
     * it from now on.
     */
    UNANCHORED(false),
    /** The log is shorter than the signed checkpoint: lines were cut from its end. */
    CUT_TAIL(true),
    /** The log does not contain the signed prefix: it was rewritten (e.g. a fresh valid chain). */
    REWRITTEN(true),
    /** The checkpoint file is not signed by this node's key. */
    FOREIGN_CHECKPOINT(true),
    /** The log holds signed checkpoint lines but the checkpoint file is gone. */
    CHECKPOINT_MISSING(true),
    /** The checkpoint file exists but is not a checkpoint. */
    CHECKPOINT_UNREADABLE(true);

    private final boolean tampered;

    State(boolean tampered) {
      this.tampered = tampered;
    }

    public boolean tampered() {
      return tampered;
    }

    /** Lower-case label, e.g. {@code cut_tail}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public boolean tampered() {
    return state.tampered();
  }

  @Override
  public String toString() {
    return state.label() + ": " + detail;
  }
}
