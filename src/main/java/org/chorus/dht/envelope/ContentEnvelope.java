package org.chorus.dht.envelope;

import java.util.Objects;

/**
 * A signed content record: metadata, the age ciphertext (empty for a tombstone), the signature of
 * the creator role's signing key over {@link EnvelopeCodec#signingInput}, and the writing node's
 * raw 32-byte Ed25519 key with its signature over the signing input and the role signature. Arrays
 * are owned by the record; callers must not modify them.
 *
 * @param roleSignature empty for an envelope of format 1 (before role signatures), which no node
 *     accepts any more; it is decoded only so that a node can re-sign its own old records
 */
public record ContentEnvelope(
    EnvelopeMetadata metadata,
    byte[] ciphertext,
    byte[] nodeKey,
    byte[] nodeSignature,
    byte[] roleSignature) {

  public ContentEnvelope {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(nodeKey, "nodeKey");
    Objects.requireNonNull(nodeSignature, "nodeSignature");
    Objects.requireNonNull(roleSignature, "roleSignature");
  }

  /** Whether this envelope is of format 1: signed by a node key only, no role signature. */
  public boolean legacy() {
    return roleSignature.length == 0;
  }
}
