package org.chorus.dht.p2p.pnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.chorus.dht.p2p.multistream.MultistreamNegotiator;
import org.junit.jupiter.api.Test;

/**
 * The protector on an {@link EmbeddedChannel}, against an independent XSalsa20 stream (Bouncy
 * Castle's engine driven by hand) playing the peer: the wire format of the spec, fragmentation,
 * every refusal, and buffer ownership.
 */
class PnetProtectorTest {
  static final byte[] HEADER = MultistreamNegotiator.headerMessage();
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  final SwarmKey key = SwarmKey.generate();
  final List<String> refusals = new ArrayList<>();

  EmbeddedChannel channel(SwarmKey k) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addFirst(new PnetProtector(k, HEADER, TIMEOUT, (ctx, r) -> refusals.add(r)));
    return ch;
  }

  /** The peer's side: a keystream of (key, nonce) applied by hand. */
  static XSalsa20Engine stream(SwarmKey k, byte[] nonce) {
    XSalsa20Engine e = new XSalsa20Engine();
    e.init(true, new ParametersWithIV(new KeyParameter(k.bytes()), nonce));
    return e;
  }

  static byte[] xor(XSalsa20Engine e, byte[] in) {
    byte[] out = new byte[in.length];
    e.processBytes(in, 0, in.length, out, 0);
    return out;
  }

  static byte[] readAll(EmbeddedChannel ch, boolean outbound) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuf b;
    while ((b = outbound ? ch.readOutbound() : ch.readInbound()) != null) {
      out.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void sendsItsNonceFirstThenTheDataXoredWithTheKeystreamOfKeyAndNonce() {
    EmbeddedChannel ch = channel(key);
    byte[] data = "hello private network".getBytes(StandardCharsets.UTF_8);
    ByteBuf msg = Unpooled.wrappedBuffer(data.clone());
    ch.writeOutbound(msg);
    assertThat(msg.refCnt()).as("the protector released what it was given").isZero();
    ch.writeOutbound(Unpooled.wrappedBuffer(HEADER));

    byte[] wire = readAll(ch, true);
    assertThat(wire).hasSize(PnetProtector.NONCE_LENGTH + data.length + HEADER.length);
    byte[] nonce = Arrays.copyOf(wire, PnetProtector.NONCE_LENGTH);
    byte[] plain =
        xor(stream(key, nonce), Arrays.copyOfRange(wire, PnetProtector.NONCE_LENGTH, wire.length));
    assertThat(plain).isEqualTo(concat(data, HEADER));
    assertThat(Arrays.copyOfRange(wire, PnetProtector.NONCE_LENGTH, wire.length))
        .isNotEqualTo(concat(data, HEADER));
    assertThat(data).as("the caller's bytes are not changed").startsWith("hello".getBytes());
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void noncesDifferPerConnection() {
    EmbeddedChannel a = channel(key);
    EmbeddedChannel b = channel(key);
    assertThat(readAll(a, true)).hasSize(24).isNotEqualTo(readAll(b, true));
    a.finishAndReleaseAll();
    b.finishAndReleaseAll();
  }

  @Test
  void decryptsThePeersStreamInAnyFragmentation() {
    byte[] payload = new byte[10_000];
    new Random(1).nextBytes(payload);
    byte[] nonce = new byte[24];
    new Random(2).nextBytes(nonce);
    byte[] wire = concat(nonce, xor(stream(key, nonce), concat(HEADER, payload)));

    for (int chunk : new int[] {1, 7, 23, 24, 25, 4096, wire.length}) {
      EmbeddedChannel ch = channel(key);
      readAll(ch, true);
      List<ByteBuf> given = new ArrayList<>();
      for (int i = 0; i < wire.length; i += chunk) {
        ByteBuf b = Unpooled.copiedBuffer(wire, i, Math.min(chunk, wire.length - i));
        given.add(b);
        ch.writeInbound(b);
      }
      assertThat(readAll(ch, false)).as("chunks of %d", chunk).isEqualTo(concat(HEADER, payload));
      assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).isZero());
      assertThat(refusals).isEmpty();
      // confirmed: the handshake timer no longer runs
      ch.advanceTimeBy(1, TimeUnit.HOURS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).isTrue();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void anotherKeyIsRefusedAtTheFirstByteAndNothingIsPassedOn() {
    EmbeddedChannel ch = channel(key);
    byte[] nonce = new byte[24];
    byte[] wire = concat(nonce, xor(stream(SwarmKey.generate(), nonce), HEADER));
    ByteBuf in = Unpooled.copiedBuffer(wire);
    ch.writeInbound(in);
    assertThat(in.refCnt()).isZero();
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(refusals)
        .singleElement()
        .asString()
        .startsWith("private network:")
        .contains("another swarm key");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void aPlaintextMultistreamHeaderIsAPeerWithoutAPrivateNetwork() {
    // a responder without pnet sends its 20-byte header and waits: no 24-byte "nonce" ever comes
    EmbeddedChannel ch = channel(key);
    ch.writeInbound(Unpooled.copiedBuffer(HEADER, 0, 10));
    assertThat(refusals).isEmpty();
    ch.writeInbound(Unpooled.copiedBuffer(HEADER, 10, HEADER.length - 10));
    assertThat(refusals).singleElement().asString().contains("in the clear");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void silenceIsRefusedAfterTheHandshakeTimeout() {
    EmbeddedChannel ch = channel(key);
    ch.advanceTimeBy(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(refusals).isEmpty();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(refusals).singleElement().asString().contains("no nonce");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();

    // the nonce came, the first message did not (the peer waits: another key)
    refusals.clear();
    EmbeddedChannel half = channel(key);
    half.writeInbound(Unpooled.copiedBuffer(new byte[24]));
    half.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    half.runScheduledPendingTasks();
    assertThat(refusals).singleElement().asString().contains("first message");
    half.finishAndReleaseAll();
  }

  @Test
  void thePeerClosingOrResettingDuringTheHandshakeIsARefusal_ourOwnCloseIsNot() {
    EmbeddedChannel peerCloses = channel(key);
    peerCloses.writeInbound(Unpooled.copiedBuffer(new byte[5]));
    // EmbeddedChannel has no remote: fire the inactive event as the transport would
    peerCloses.pipeline().fireChannelInactive();
    assertThat(refusals).singleElement().asString().contains("closed the connection");
    peerCloses.finishAndReleaseAll();

    refusals.clear();
    EmbeddedChannel reset = channel(key);
    reset.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
    assertThat(refusals).singleElement().asString().contains("failed during", "reset by peer");
    reset.finishAndReleaseAll();

    refusals.clear();
    EmbeddedChannel weClose = channel(key);
    weClose.close();
    assertThat(refusals).isEmpty();
    weClose.finishAndReleaseAll();
  }

  @Test
  void onlyByteBufsCanBeWritten() {
    EmbeddedChannel ch = channel(key);
    readAll(ch, true);
    var f = ch.writeOneOutbound("a string");
    ch.flushOutbound();
    assertThat(f.cause()).hasMessageContaining("cannot encrypt");
    assertThat((Object) ch.readOutbound()).isNull();
    ch.finishAndReleaseAll();
  }
}
