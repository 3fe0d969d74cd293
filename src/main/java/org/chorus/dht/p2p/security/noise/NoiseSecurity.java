package org.chorus.dht.p2p.security.noise;

import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.IdentityKey;

/**
 * The {@code /noise} security protocol for one host: its identity and its X25519 static key
 * (created once per host, as the spec allows). Thread-safe.
 */
public final class NoiseSecurity {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/noise");

  /**
   * Largest Noise message: the 2-byte length prefix caps it at 65535 (noise/README.md#wire-format).
   */
  public static final int MAX_MESSAGE = 65535;

  /** Largest plaintext per transport message. */
  public static final int MAX_PLAINTEXT = MAX_MESSAGE - CipherState.TAG;

  final IdentityKey identity;
  final X25519.Pair staticKey;
  final byte[] payload;

  public NoiseSecurity(IdentityKey identity) {
    this.identity = identity;
    this.staticKey = X25519.generate();
    this.payload = NoisePayload.create(identity, staticKey.publicKey());
  }

  public IdentityKey identity() {
    return identity;
  }
}
