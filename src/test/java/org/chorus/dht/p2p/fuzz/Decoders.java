package org.chorus.dht.p2p.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.crypto.PublicKeys;
import org.chorus.dht.p2p.multistream.MultistreamNegotiator;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.mux.yamux.YamuxFrameCodec;
import org.chorus.dht.p2p.mux.yamux.YamuxSession;
import org.chorus.dht.p2p.protocol.identify.IdentifyCodec;
import org.chorus.dht.p2p.security.noise.NoiseFuzzSupport;
import org.chorus.dht.p2p.security.noise.NoisePayload;

/**
 * One entry point per decoder, shared by the Jazzer targets and the seeded mutation test. Each
 * feeds hostile bytes and lets only the decoder's documented rejection through; anything else (NPE,
 * index errors, OOM) fails the run.
 */
final class Decoders {
  private Decoders() {}

  static final ProtocolId P = ProtocolId.of("/p/1.0.0");

  static void multistream(byte[] data) {
    for (boolean initiator : new boolean[] {true, false}) {
      MultistreamNegotiator n =
          initiator
              ? MultistreamNegotiator.initiator(List.of(P))
              : MultistreamNegotiator.responder(Set.of(P));
      n.start();
      ByteBuf in = Unpooled.wrappedBuffer(data);
      // feed in two pieces, as TCP might
      int cut = data.length / 2;
      ByteBuf acc = Unpooled.buffer();
      acc.writeBytes(in, cut);
      MultistreamNegotiator.Outcome o = n.onData(acc);
      if (o instanceof MultistreamNegotiator.Pending) {
        acc.writeBytes(in);
        n.onData(acc);
      }
      acc.release();
    }
  }

  static void noisePayload(byte[] data) {
    try {
      NoisePayload.verify(data, new byte[32]);
    } catch (IllegalArgumentException expected) {
      // rejected
    }
  }

  static void noiseTransport(byte[] data) {
    EmbeddedChannel ch = NoiseFuzzSupport.transportChannel();
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(data));
    } catch (DecoderException expected) {
      // rejected
    }
    ch.finishAndReleaseAll();
  }

  static void noiseHandshake(byte[] data) {
    NoiseFuzzSupport.handshake(data);
  }

  static void yamuxCodec(byte[] data) {
    ByteBuf in = Unpooled.wrappedBuffer(data);
    try {
      YamuxFrameCodec.decode(
          in,
          YamuxConfig.DEFAULT_INITIAL_WINDOW,
          new YamuxFrameCodec.Listener() {
            @Override
            public void onData(int streamId, int flags, ByteBuf payload) {
              payload.release();
            }

            @Override
            public void onWindowUpdate(int streamId, int flags, long delta) {}

            @Override
            public void onPing(int flags, long opaque) {}

            @Override
            public void onGoAway(long code) {}
          });
    } catch (ProtocolException expected) {
      // rejected
    } finally {
      in.release();
    }
  }

  /** The whole session: it must handle every input itself (no exception escapes). */
  static void yamuxSession(byte[] data) {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new YamuxSession(
                YamuxConfig.DEFAULT,
                data.length % 2 == 0,
                s ->
                    s.setHandler(
                        new org.chorus.dht.p2p.mux.MuxedStream.Handler() {
                          @Override
                          public void onData(byte[] d) {}

                          @Override
                          public void onRemoteClose() {
                            s.closeWrite();
                          }

                          @Override
                          public void onReset(Throwable cause) {}
                        })));
    ch.writeInbound(Unpooled.wrappedBuffer(data));
    ch.runPendingTasks();
    ch.finishAndReleaseAll();
  }

  static void identify(byte[] data) {
    IdentifyCodec c = new IdentifyCodec();
    try {
      int cut = data.length / 3;
      c.feed(Arrays.copyOf(data, cut));
      c.feed(Arrays.copyOfRange(data, cut, data.length));
      c.finish();
    } catch (ProtocolException expected) {
      // rejected
    }
  }

  static void multiaddr(byte[] data) {
    try {
      Multiaddr a = Multiaddr.fromBytes(data);
      if (!Multiaddr.parse(a.toString()).equals(a)) {
        throw new AssertionError("text round trip changed " + a);
      }
    } catch (IllegalArgumentException expected) {
      // rejected
    }
    try {
      Multiaddr.parse(new String(data, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException expected) {
      // rejected
    }
  }

  static void peerId(byte[] data) {
    try {
      PeerId id = PeerId.fromBytes(data);
      if (!PeerId.parse(id.toBase58()).equals(id) || !PeerId.parse(id.toCidV1()).equals(id)) {
        throw new AssertionError("text round trip changed " + id);
      }
    } catch (IllegalArgumentException expected) {
      // rejected
    }
    try {
      PeerId.parse(new String(data, java.nio.charset.StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException expected) {
      // rejected
    }
    try {
      PublicKeys.verify(data, new byte[] {1}, new byte[64]);
    } catch (IllegalArgumentException expected) {
      // rejected
    }
  }
}
