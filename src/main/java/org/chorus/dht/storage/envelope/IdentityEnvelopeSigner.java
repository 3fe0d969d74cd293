package org.chorus.dht.storage.envelope;

import java.util.Objects;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.p2p.crypto.IdentityKey;

/**
 * Signs content envelopes with the node identity key, so that an envelope's creator key is the key
 * of the node's peer id. Thread-safe (the key is).
 */
public final class IdentityEnvelopeSigner implements EnvelopeSigner {

  private final IdentityKey key;

  public IdentityEnvelopeSigner(IdentityKey key) {
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The raw 32-byte Ed25519 public key of the identity. */
  @Override
  public byte[] publicKey() {
    return key.publicKey();
  }

  @Override
  public byte[] sign(byte[] message) {
    return key.sign(message);
  }

  @Override
  public String toString() {
    return "IdentityEnvelopeSigner[" + key.peerId() + "]";
  }
}
