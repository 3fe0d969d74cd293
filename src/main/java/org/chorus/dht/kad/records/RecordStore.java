package org.chorus.dht.kad.records;

import java.time.Duration;
import java.util.Optional;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Where a node keeps the kad values it was asked to store. Values live {@link #DEFAULT_EXPIRY}
 * after they were stored (DESIGN.md "Kademlia", go-libp2p-kad-dht {@code MaxRecordAge}); expired
 * values are never returned, and {@link #expire()} drops them. Implementations are bounded and
 * thread-safe; {@link InMemoryRecordStore} and {@link MvRecordStore} (persistent).
 *
 * <p>Quota: every record a peer's PUT brought here is charged to that peer until it is removed,
 * expires or this node writes the key itself ({@link #put}); a persistent store keeps the charges
 * with the records, so the quota holds across restarts.
 */
public interface RecordStore {
  /** How long a stored value stays valid. */
  Duration DEFAULT_EXPIRY = Duration.ofHours(48);

  /** What {@link #put} did. */
  enum PutOutcome {
    STORED,
    /** The store holds its maximum number of keys and this key is new. */
    FULL,
    /** The key is new and the putting peer's {@link Quota} is used up. */
    OVER_QUOTA
  }

  /**
   * What one peer may have stored here through its PUTs: at most {@code maxRecords} records and
   * {@code maxBytes} bytes of keys and values.
   */
  record Quota(int maxRecords, long maxBytes) {
    /** No limit (tests, tools). */
    public static final Quota UNLIMITED = new Quota(Integer.MAX_VALUE, Long.MAX_VALUE);

    public Quota {
      if (maxRecords < 1 || maxBytes < 1) {
        throw new IllegalArgumentException(
            "quota must be positive: " + maxRecords + ", " + maxBytes);
      }
    }
  }

  /** The records and bytes (keys and values) charged to one peer. */
  record Usage(int records, long bytes) {
    public static final Usage NONE = new Usage(0, 0);
  }

  /**
   * Stores (or replaces) the record under its key, valid for the expiry from now: this node's own
   * write, so the key is charged to no peer any more.
   */
  PutOutcome put(KadRecord record);

  /**
   * Stores {@code record} for {@code peer} (its PUT_VALUE), valid for the expiry from now. A key
   * not held (or held expired) is a new record charged to {@code peer}, refused with {@link
   * PutOutcome#OVER_QUOTA} when {@code peer}'s charged records or bytes would exceed {@code quota};
   * a key held already (a republish, a newer version) is no new record: it is never refused for the
   * quota and stays charged to whoever it was charged to, with the new value's bytes.
   */
  PutOutcome putFor(PeerId peer, KadRecord record, Quota quota);

  /** What is charged to {@code peer} now ({@link Usage#NONE} for a peer with nothing here). */
  Usage usage(PeerId peer);

  /** The record under {@code key} if present and not expired. */
  Optional<KadRecord> get(byte[] key);

  /** Removes the record; true if there was one. */
  boolean remove(byte[] key);

  /** Drops every expired record; returns how many. */
  int expire();

  /** Records held, expired ones not yet dropped included. */
  int size();
}
