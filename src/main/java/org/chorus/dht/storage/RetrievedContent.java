package org.chorus.dht.storage;

import org.chorus.dht.envelope.EnvelopeMetadata;

/**
 * Decrypted content and its metadata.
 *
 * @param fromCache whether the content came from the cache rather than the backend
 */
public record RetrievedContent(EnvelopeMetadata metadata, byte[] content, boolean fromCache) {}
