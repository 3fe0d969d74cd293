package org.chorus.dht.p2p.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.mux.yamux.YamuxFrame;
import org.chorus.dht.p2p.mux.yamux.YamuxFrameCodec;
import org.chorus.dht.p2p.protocol.identify.IdentifyCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deterministic stand-in for a fuzzing session: every decoder gets valid messages mutated at random
 * (bit flips, byte changes, truncation, splicing, length-field extremes) plus pure noise, from a
 * fixed seed, so a failure reproduces.
 */
class SeededMutationTest {
  static final int ROUNDS = 1500;

  static Stream<Arguments> targets() {
    String id = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
    ByteArrayOutputStream yamux = new ByteArrayOutputStream();
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
    YamuxFrameCodec.writeHeader(b, YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, 3);
    b.writeBytes(new byte[] {1, 2, 3});
    YamuxFrameCodec.writeHeader(b, YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 1, 100);
    YamuxFrameCodec.writeHeader(b, YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 7);
    YamuxFrameCodec.writeHeader(b, YamuxFrame.TYPE_GO_AWAY, 0, 0, 0);
    byte[] frames = new byte[b.readableBytes()];
    b.readBytes(frames);
    b.release();
    yamux.writeBytes(frames);
    IdentityKey k = IdentityKey.generate();
    byte[] identify =
        IdentifyCodec.encode(
            k.publicKeyProtobuf(),
            "ipfs/0.1.0",
            "a",
            List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/5")),
            Optional.of(Multiaddr.parse("/ip6/::1/tcp/5/p2p/" + id)),
            List.of("/ipfs/id/1.0.0"));
    byte[] ms =
        HexFormat.of().parseHex("132f6d756c746973747265616d2f312e302e300a092f702f312e302e300a");
    return Stream.of(
        Arguments.of("multistream", (Consumer<byte[]>) Decoders::multistream, ms),
        Arguments.of(
            "noisePayload",
            (Consumer<byte[]>) Decoders::noisePayload,
            HexFormat.of()
                .parseHex(
                    "0a24080112204cb5abf6ad79fbf5abbccafcc269d85cd2651ed4b885b5869f241aedf0a5ba291240"
                        + "00".repeat(64)
                        + "22140a122f79616d75782f312e302e30")),
        Arguments.of(
            "noiseTransport",
            (Consumer<byte[]>) Decoders::noiseTransport,
            HexFormat.of().parseHex("0012" + "00".repeat(18))),
        Arguments.of(
            "noiseHandshake", (Consumer<byte[]>) Decoders::noiseHandshake, new byte[96 + 20]),
        Arguments.of("yamuxCodec", (Consumer<byte[]>) Decoders::yamuxCodec, yamux.toByteArray()),
        Arguments.of(
            "yamuxSession", (Consumer<byte[]>) Decoders::yamuxSession, yamux.toByteArray()),
        Arguments.of("identify", (Consumer<byte[]>) Decoders::identify, identify),
        Arguments.of(
            "multiaddr",
            (Consumer<byte[]>) Decoders::multiaddr,
            Multiaddr.parse("/dns4/a.b/tcp/1/p2p/" + id).toBytes()),
        Arguments.of("peerId", (Consumer<byte[]>) Decoders::peerId, k.peerId().toBytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void mutatedInputsAreHandled(String name, Consumer<byte[]> target, byte[] valid) {
    Random r = new Random(name.hashCode());
    target.accept(valid);
    for (int i = 0; i < ROUNDS; i++) {
      target.accept(mutate(valid, r));
    }
  }

  static byte[] mutate(byte[] in, Random r) {
    byte[] out = in.clone();
    switch (r.nextInt(6)) {
      case 0 -> {
        if (out.length > 0) {
          int p = r.nextInt(out.length);
          out[p] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> {
        for (int j = 0; j < 1 + r.nextInt(4) && out.length > 0; j++) {
          out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        }
      }
      case 2 -> out = java.util.Arrays.copyOf(out, out.length == 0 ? 0 : r.nextInt(out.length));
      case 3 -> {
        byte[] tail = new byte[r.nextInt(64)];
        r.nextBytes(tail);
        byte[] joined = java.util.Arrays.copyOf(out, out.length + tail.length);
        System.arraycopy(tail, 0, joined, out.length, tail.length);
        out = joined;
      }
      case 4 -> {
        if (out.length > 4) { // extreme length fields
          int p = r.nextInt(out.length - 4);
          byte v = r.nextBoolean() ? (byte) 0xFF : (byte) 0x80;
          for (int j = 0; j < 4; j++) {
            out[p + j] = v;
          }
        }
      }
      default -> {
        out = new byte[r.nextInt(200)];
        r.nextBytes(out);
      }
    }
    return out;
  }
}
