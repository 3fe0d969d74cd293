package org.chorus.dht.p2p.security.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.crypto.PublicKeys;
import org.chorus.dht.p2p.pb.P2pProto;

/**
 * The libp2p Noise handshake payload (noise/README.md#the-libp2p-handshake-payload): the identity
 * key and its signature over {@code "noise-libp2p-static-key:" || static X25519 key}. We send no
 * extensions, so the muxer is negotiated with multistream-select; the peer's {@code stream_muxers}
 * are parsed and ignored. Stateless, thread-safe.
 */
public final class NoisePayload {
  static final byte[] SIG_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

  /** What a verified payload tells us. */
  public record Verified(PeerId peerId, byte[] publicKeyProtobuf, List<String> streamMuxers) {}

  private NoisePayload() {}

  static byte[] create(IdentityKey identity, byte[] staticPublic) {
    return P2pProto.NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(identity.publicKeyProtobuf()))
        .setIdentitySig(ByteString.copyFrom(identity.sign(signed(staticPublic))))
        .build()
        .toByteArray();
  }

  /**
   * Decodes and verifies a peer's payload against the static key it proved in the handshake.
   *
   * @throws IllegalArgumentException with the reason when anything is wrong
   */
  public static Verified verify(byte[] payload, byte[] remoteStatic) {
    P2pProto.NoiseHandshakePayload p;
    try {
      p = P2pProto.NoiseHandshakePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("failed to decode noise payload: " + e.getMessage());
    }
    if (!p.hasIdentityKey() || !p.hasIdentitySig()) {
      throw new IllegalArgumentException("noise payload without identity key or signature");
    }
    byte[] key = p.getIdentityKey().toByteArray();
    PublicKeys.Decoded decoded = PublicKeys.decode(key);
    if (!PublicKeys.verify(key, signed(remoteStatic), p.getIdentitySig().toByteArray())) {
      throw new IllegalArgumentException("invalid noise payload signature");
    }
    List<String> muxers =
        p.hasExtensions() ? List.copyOf(p.getExtensions().getStreamMuxersList()) : List.of();
    return new Verified(decoded.peerId(), key, muxers);
  }

  private static byte[] signed(byte[] staticPublic) {
    byte[] m = new byte[SIG_PREFIX.length + staticPublic.length];
    System.arraycopy(SIG_PREFIX, 0, m, 0, SIG_PREFIX.length);
    System.arraycopy(staticPublic, 0, m, SIG_PREFIX.length, staticPublic.length);
    return m;
  }
}
