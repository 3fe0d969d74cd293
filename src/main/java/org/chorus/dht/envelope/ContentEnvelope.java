package org.chorus.dht.envelope;

import java.util.Objects;

/**
 * A signed content record: metadata, the age ciphertext, the creator node's raw 32-byte Ed25519
 * public key and its signature over {@link EnvelopeCodec#signingInput}. Arrays are owned by the
 * record; callers must not modify them.
 */
public record ContentEnvelope(
    EnvelopeMetadata metadata, byte[] ciphertext, byte[] publicKey, byte[] signature) {

  public ContentEnvelope {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(signature, "signature");
  }
}
