package org.chorus.dht.storage;

import org.chorus.dht.envelope.EnvelopeMetadata;

/** A decrypted item in the content cache. The array is never handed out without a copy. */
record CachedContent(EnvelopeMetadata metadata, byte[] content) {

  /** Cache weight: plaintext plus a fixed allowance for the metadata and the entry itself. */
  int weight() {
    return content.length + 512;
  }
}
