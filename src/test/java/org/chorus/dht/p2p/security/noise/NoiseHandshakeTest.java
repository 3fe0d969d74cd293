package org.chorus.dht.p2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.security.GeneralSecurityException;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class NoiseHandshakeTest {
  @Test
  void xxHandshakeAgreesAndAuthenticates() throws Exception {
    IdentityKey ik = IdentityKey.generate();
    IdentityKey rk = IdentityKey.generate();
    NoiseSecurity is = new NoiseSecurity(ik);
    NoiseSecurity rs = new NoiseSecurity(rk);
    HandshakeState i = new HandshakeState(true, is.staticKey);
    HandshakeState r = new HandshakeState(false, rs.staticKey);
    r.readMessage1(i.writeMessage1(new byte[0]));
    byte[] p2 = i.readMessage2(r.writeMessage2(rs.payload));
    assertThat(NoisePayload.verify(p2, i.remoteStatic()).peerId()).isEqualTo(rk.peerId());
    byte[] p3 = r.readMessage3(i.writeMessage3(is.payload));
    assertThat(NoisePayload.verify(p3, r.remoteStatic()).peerId()).isEqualTo(ik.peerId());
    assertThat(i.handshakeHash()).isEqualTo(r.handshakeHash());
    CipherState[] ic = i.split();
    CipherState[] rc = r.split();
    byte[] c = ic[0].encrypt(null, "hello".getBytes());
    assertThat(new String(rc[1].decrypt(null, c))).isEqualTo("hello");
    byte[] back = rc[0].encrypt(null, "world".getBytes());
    assertThat(new String(ic[1].decrypt(null, back))).isEqualTo("world");
  }

  @Test
  void tamperedMessage2IsRejected() throws Exception {
    NoiseSecurity is = new NoiseSecurity(IdentityKey.generate());
    NoiseSecurity rs = new NoiseSecurity(IdentityKey.generate());
    HandshakeState i = new HandshakeState(true, is.staticKey);
    HandshakeState r = new HandshakeState(false, rs.staticKey);
    r.readMessage1(i.writeMessage1(new byte[0]));
    byte[] m2 = r.writeMessage2(rs.payload);
    m2[40] ^= 1;
    assertThatThrownBy(() -> i.readMessage2(m2)).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void payloadSignedForAnotherStaticKeyIsRejected() {
    NoiseSecurity a = new NoiseSecurity(IdentityKey.generate());
    NoiseSecurity b = new NoiseSecurity(IdentityKey.generate());
    assertThatThrownBy(() -> NoisePayload.verify(a.payload, b.staticKey.publicKey()))
        .hasMessageContaining("invalid noise payload signature");
    assertThatThrownBy(() -> NoisePayload.verify(new byte[] {0x0a, 0x01}, a.staticKey.publicKey()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void transportCodecSplitsAtTheNoiseCapAndRejectsBadFrames() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k2[0] = 1;
    EmbeddedChannel sender =
        new EmbeddedChannel(new NoiseTransportCodec(new CipherState(k1), new CipherState(k2)));
    EmbeddedChannel receiver =
        new EmbeddedChannel(new NoiseTransportCodec(new CipherState(k2), new CipherState(k1)));
    byte[] big = new byte[NoiseSecurity.MAX_PLAINTEXT + 1]; // cap + 1: must become two frames
    big[big.length - 1] = 7;
    sender.writeOutbound(Unpooled.wrappedBuffer(big));
    ByteBuf wire = sender.readOutbound();
    assertThat(wire.getUnsignedShort(0)).isEqualTo(NoiseSecurity.MAX_MESSAGE);
    assertThat(wire.readableBytes()).isEqualTo(2 + NoiseSecurity.MAX_MESSAGE + 2 + 1 + 16);
    receiver.writeInbound(wire);
    ByteBuf a = receiver.readInbound();
    ByteBuf b = receiver.readInbound();
    assertThat(a.readableBytes() + b.readableBytes()).isEqualTo(big.length);
    assertThat(b.getByte(b.readerIndex())).isEqualTo((byte) 7);
    a.release();
    b.release();
    // a frame shorter than the tag
    assertThatThrownBy(
            () -> receiver.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 3, 1, 2, 3})))
        .isInstanceOf(DecoderException.class);
    sender.finishAndReleaseAll();
    receiver.finishAndReleaseAll();
  }
}
