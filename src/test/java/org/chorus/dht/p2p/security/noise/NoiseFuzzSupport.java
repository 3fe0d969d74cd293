package org.chorus.dht.p2p.security.noise;

import io.netty.channel.embedded.EmbeddedChannel;
import java.security.GeneralSecurityException;
import org.chorus.dht.p2p.crypto.IdentityKey;

/** Package access for the fuzz targets: a transport codec and raw handshake steps. */
public final class NoiseFuzzSupport {
  private static final NoiseSecurity SECURITY = new NoiseSecurity(IdentityKey.generate());

  private NoiseFuzzSupport() {}

  public static EmbeddedChannel transportChannel() {
    byte[] k = new byte[32];
    return new EmbeddedChannel(new NoiseTransportCodec(new CipherState(k), new CipherState(k)));
  }

  /** Feeds {@code data} as message 1 to a responder and as message 2 to an initiator. */
  public static void handshake(byte[] data) {
    try {
      new HandshakeState(false, SECURITY.staticKey).readMessage1(data);
    } catch (GeneralSecurityException expected) {
      // rejected
    }
    HandshakeState i = new HandshakeState(true, SECURITY.staticKey);
    try {
      i.writeMessage1(new byte[0]);
      byte[] payload = i.readMessage2(data);
      NoisePayload.verify(payload, i.remoteStatic());
    } catch (GeneralSecurityException | IllegalArgumentException expected) {
      // rejected
    }
  }
}
