package org.chorus.dht.envelope;

/**
 * The creator key that seals a content envelope: an Ed25519 key. Kept as an interface so that the
 * envelope format does not depend on where a node keeps its key (the storage layer's {@code
 * IdentityEnvelopeSigner} signs with the node identity key). Implementations must be thread-safe.
 */
public interface EnvelopeSigner {
  /** The raw 32-byte Ed25519 public key. */
  byte[] publicKey();

  /** The Ed25519 signature of {@code message}. */
  byte[] sign(byte[] message);
}
