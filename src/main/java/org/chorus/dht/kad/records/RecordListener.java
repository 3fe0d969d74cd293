package org.chorus.dht.kad.records;

import org.chorus.dht.p2p.core.PeerId;

/**
 * Told about records that came from peers: PUT_VALUE requests stored or refused, and values a
 * lookup received and refused. For metrics and the audit log. Called on the thread that handled the
 * record (a kad worker, whose threads peers' requests share): must not block. Implementations must
 * be thread-safe.
 */
public interface RecordListener {

  /** Where a record came from. */
  enum Source {
    /** A peer's PUT_VALUE request. */
    PUT,
    /** A value a peer returned to our GET_VALUE. */
    GET
  }

  /** A peer's PUT_VALUE of {@code key} was stored. */
  default void accepted(PeerId from, byte[] key) {}

  /** A record for {@code key} from {@code from} was refused for {@code reason}. */
  default void refused(
      PeerId from,
      byte[] key,
      Source source,
      InvalidRecordException.Reason reason,
      String detail) {}
}
