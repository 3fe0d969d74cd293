package org.chorus.dht.age;

import java.util.List;

/**
 * Someone a file can be encrypted to: wraps the 16-byte file key into header stanzas.
 * Implementations must be thread-safe: the wraps of one file's recipients may run at once.
 */
public interface Recipient {

  /** Wraps the file key; the returned stanzas go into the header. */
  List<Stanza> wrap(byte[] fileKey);
}
