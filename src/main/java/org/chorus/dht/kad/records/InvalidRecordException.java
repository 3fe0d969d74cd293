package org.chorus.dht.kad.records;

import java.util.Locale;
import java.util.Objects;

/**
 * A record was refused: unknown namespace, malformed key or value, bad signature, a writer without
 * authority, an older version than held, a full store, a peer over its quota. The {@link Reason} is
 * the label of {@code chorus_dht_records_refused_total{reason}} and of the audit line.
 */
public final class InvalidRecordException extends RuntimeException {

  /** Why a record was refused. */
  public enum Reason {
    /** Not parseable, wrong key, a field out of range. */
    MALFORMED,
    /** Over the size cap. */
    TOO_LARGE,
    /** No validator for the key's namespace. */
    UNKNOWN_NAMESPACE,
    /** A signature does not verify, or a hash does not match. */
    BAD_SIGNATURE,
    /** Signed by a key that may not write this key (not the address role's key, read-only). */
    UNAUTHORIZED,
    /** A lower version than the record held (a replay or a rollback). */
    ROLLBACK,
    /** The same version as the record held, with other content (a concurrent write that lost). */
    CONFLICT,
    /** Expired (peer records). */
    EXPIRED,
    /** The local store is full. */
    STORE_FULL,
    /** The putting peer has as many records or bytes stored here as its quota allows. */
    QUOTA;

    /** Lower-case label, e.g. {@code bad_signature}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public InvalidRecordException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A malformed record. */
  public InvalidRecordException(String message) {
    this(Reason.MALFORMED, message);
  }

  public Reason reason() {
    return reason;
  }
}
