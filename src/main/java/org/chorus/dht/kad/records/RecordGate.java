package org.chorus.dht.kad.records;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The one way records enter a node's {@link RecordStore}: a peer's PUT_VALUE and this node's own
 * writes alike. It validates the record, and under a per-key lock compares it with the held one
 * ({@link RecordValidator#checkReplaces}) and stores it, so that two writes of one key arriving at
 * once cannot both be told "stored" (the check and the put are one step). The first record of a
 * version to reach a node holds that version there; see {@code UcxlEnvelopeValidator}. A peer's PUT
 * ({@link #offerFrom}) of a key this node does not hold is charged to that peer under the
 * {@linkplain RecordStore.Quota quota}; this node's own writes ({@link #offer}, {@link #replace})
 * are charged to no one.
 *
 * <p>Validation and the store's write (a commit and fsync for a persistent store) block: call it
 * off the event loops.
 *
 * <p>Thread-safe. The locks are striped ({@value #STRIPES}), held only for one get, one compare and
 * one put.
 */
public final class RecordGate {

  /** Lock stripes. */
  static final int STRIPES = 64;

  /** What an offer came to. */
  public sealed interface Outcome {
    /** Whether the record is what the store holds now. */
    default boolean stored() {
      return this instanceof Stored;
    }
  }

  /** Stored (or it was held already: a refresh). */
  public record Stored() implements Outcome {}

  /**
   * Refused: invalid, older than or in conflict with the held record ({@code held}, when there is
   * one), or the store is full.
   */
  public record Refused(InvalidRecordException error, Optional<KadRecord> held)
      implements Outcome {}

  private final RecordStore records;
  private final RecordValidator validator;
  private final RecordStore.Quota quota;
  private final Object[] locks = new Object[STRIPES];
  private final java.util.List<java.util.function.Consumer<byte[]>> onStored =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A gate without a per-peer quota. */
  public RecordGate(RecordStore records, RecordValidator validator) {
    this(records, validator, RecordStore.Quota.UNLIMITED);
  }

  /** A gate charging peers' PUTs under {@code quota}. */
  public RecordGate(RecordStore records, RecordValidator validator, RecordStore.Quota quota) {
    this.records = Objects.requireNonNull(records, "records");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.quota = Objects.requireNonNull(quota, "quota");
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Calls {@code listener} with the key of every record this gate stores whose value differs from
   * what was held (a refresh of the same value is not a change), after the store; on the storing
   * thread, so it must not block (caches drop their entry).
   */
  public void addChangeListener(java.util.function.Consumer<byte[]> listener) {
    onStored.add(Objects.requireNonNull(listener, "listener"));
  }

  private void changed(byte[] key) {
    for (var l : onStored) {
      try {
        l.accept(key);
      } catch (RuntimeException e) {
        // a listener's failure must not fail the store
      }
    }
  }

  public RecordStore records() {
    return records;
  }

  public RecordValidator validator() {
    return validator;
  }

  public RecordStore.Quota quota() {
    return quota;
  }

  /**
   * Validates {@code record} and stores it if it may replace what is held; durable when it returns
   * {@link Stored} (for a persistent store). This node's own write: charged to no peer.
   */
  public Outcome offer(KadRecord record) {
    return offer(null, record);
  }

  /**
   * As {@link #offer(KadRecord)} for {@code peer}'s PUT_VALUE: a key not held here is charged to
   * {@code peer} and refused ({@link InvalidRecordException.Reason#QUOTA}) over its quota; a
   * republish or a newer version of a held key is not a new record.
   */
  public Outcome offerFrom(PeerId peer, KadRecord record) {
    return offer(Objects.requireNonNull(peer, "peer"), record);
  }

  private Outcome offer(PeerId peer, KadRecord record) {
    byte[] key = record.key();
    try {
      validator.validate(key, record.value());
    } catch (InvalidRecordException e) {
      return new Refused(e, Optional.empty());
    }
    synchronized (locks[Math.floorMod(Arrays.hashCode(key), STRIPES)]) {
      Optional<KadRecord> held = records.get(key);
      if (held.isPresent() && !Arrays.equals(held.get().value(), record.value())) {
        try {
          validator.checkReplaces(key, record.value(), held.get().value());
        } catch (InvalidRecordException e) {
          return new Refused(e, held);
        }
      }
      RecordStore.PutOutcome put =
          peer == null ? records.put(record) : records.putFor(peer, record, quota);
      if (put == RecordStore.PutOutcome.OVER_QUOTA) {
        return new Refused(
            new InvalidRecordException(
                InvalidRecordException.Reason.QUOTA,
                "the peer has its quota of records stored here ("
                    + quota.maxRecords()
                    + " records, "
                    + quota.maxBytes()
                    + " bytes)"),
            Optional.empty());
      }
      if (put != RecordStore.PutOutcome.STORED) {
        return new Refused(
            new InvalidRecordException(
                InvalidRecordException.Reason.STORE_FULL, "the record store is full"),
            Optional.empty());
      }
      if (held.isEmpty() || !Arrays.equals(held.get().value(), record.value())) {
        changed(key);
      }
      return new Stored();
    }
  }

  /**
   * Stores a valid record whatever is held (this node correcting its own copy to a record it knows
   * is the current one, for instance the winner of a version it lost); refused only when invalid or
   * the store is full.
   */
  public Outcome replace(KadRecord record) {
    byte[] key = record.key();
    try {
      validator.validate(key, record.value());
    } catch (InvalidRecordException e) {
      return new Refused(e, Optional.empty());
    }
    synchronized (locks[Math.floorMod(Arrays.hashCode(key), STRIPES)]) {
      if (records.put(record) != RecordStore.PutOutcome.STORED) {
        return new Refused(
            new InvalidRecordException(
                InvalidRecordException.Reason.STORE_FULL, "the record store is full"),
            Optional.empty());
      }
      changed(key);
      return new Stored();
    }
  }
}
