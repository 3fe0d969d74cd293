package org.chorus.dht.kad.records;

import java.time.Duration;
import java.util.Optional;
import org.chorus.dht.kad.wire.KadRecord;

/**
 * Where a node keeps the kad values it was asked to store. Values live {@link #DEFAULT_EXPIRY}
 * after they were stored (DESIGN.md "Kademlia", go-libp2p-kad-dht {@code MaxRecordAge}); expired
 * values are never returned, and {@link #expire()} drops them. Implementations are bounded and
 * thread-safe; the in-memory one is {@link InMemoryRecordStore}, a persistent one comes later.
 */
public interface RecordStore {
  /** How long a stored value stays valid. */
  Duration DEFAULT_EXPIRY = Duration.ofHours(48);

  /** What {@link #put} did. */
  enum PutOutcome {
    STORED,
    /** The store holds its maximum number of keys and this key is new. */
    FULL
  }

  /** Stores (or replaces) the record under its key, valid for the expiry from now. */
  PutOutcome put(KadRecord record);

  /** The record under {@code key} if present and not expired. */
  Optional<KadRecord> get(byte[] key);

  /** Removes the record; true if there was one. */
  boolean remove(byte[] key);

  /** Drops every expired record; returns how many. */
  int expire();

  /** Records held, expired ones not yet dropped included. */
  int size();
}
