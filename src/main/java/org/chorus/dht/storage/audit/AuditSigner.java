package org.chorus.dht.storage.audit;

import java.util.Objects;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.p2p.crypto.IdentityKey;

/**
 * The key that signs the audit log's checkpoints: the node identity key, so a checkpoint is tied to
 * the node's peer id. Implementations must be thread-safe.
 */
public interface AuditSigner {

  /** The libp2p peer id of the key, written into every checkpoint. */
  String peerId();

  /** The raw 32-byte Ed25519 public key checkpoints are verified with. */
  byte[] publicKey();

  /** An Ed25519 signature of {@code message}. */
  byte[] sign(byte[] message);

  /** Whether {@code signature} is this key's signature of {@code message}. */
  default boolean verifies(byte[] message, byte[] signature) {
    return Ed25519Keys.verify(publicKey(), message, signature);
  }

  /** The node identity key as a checkpoint signer. */
  static AuditSigner of(IdentityKey key) {
    Objects.requireNonNull(key, "key");
    String peerId = key.peerId().toString();
    byte[] publicKey = key.publicKey();
    return new AuditSigner() {
      @Override
      public String peerId() {
        return peerId;
      }

      @Override
      public byte[] publicKey() {
        return publicKey.clone();
      }

      @Override
      public byte[] sign(byte[] message) {
        return key.sign(message);
      }

      @Override
      public String toString() {
        return "AuditSigner[" + peerId + "]";
      }
    };
  }
}
