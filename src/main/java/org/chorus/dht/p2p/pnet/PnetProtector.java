package org.chorus.dht.p2p.pnet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The private network protector of one connection (pnet/Private-Networks-PSK-V1.md, "Algorithm"),
 * first in the pipeline, right on the socket. Before anything else it sends a random 24-byte nonce;
 * every byte written after it is XORed with the XSalsa20 keystream of (PSK, our nonce). The first
 * 24 bytes read are the peer's nonce; every byte read after them is XORed with the keystream of
 * (PSK, the peer's nonce). The handlers after it see plain bytes only.
 *
 * <p><b>Refusals.</b> The spec has no key confirmation: with another key, or none, the peer's bytes
 * are just garbage to the next layer, which would wait for a message that never ends. So that such
 * a peer fails fast and the reason is known, the protector checks the peer's first bytes against
 * what must come first on every libp2p connection, {@code expectedPlaintext} (the
 * multistream-select header, which both sides send first), without consuming them. It refuses the
 * connection
 *
 * <ul>
 *   <li>when the peer's "nonce" is that header in the clear: a peer without a private network;
 *   <li>at the first byte after the nonce that does not decrypt to it: another key;
 *   <li>when nonce and header are not all in within the handshake timeout;
 *   <li>when the peer closes or resets the connection before that.
 * </ul>
 *
 * <p>A refusal tells the {@link Listener} once, then closes the channel; what arrives afterwards is
 * dropped. Bytes that failed the check never reach the next handler. The check only ever looks at
 * plaintext the next layer would see anyway, and our nonces are fully random, so nothing on the
 * wire marks the connection (the spec's "no characteristic handshake").
 *
 * <p><b>Buffers.</b> Inbound: every {@link ByteBuf} handed to {@link #channelRead} is released
 * here; the decrypted bytes go on in a new buffer from the channel's allocator, which the next
 * handler owns. Outbound: every {@link ByteBuf} handed to {@link #write} is released here (also
 * when it is refused); the encrypted copy goes to the socket with the same promise, and the
 * transport releases it. Other message types are refused (released, promise failed): they could not
 * be encrypted. The nonce goes out in a buffer the transport releases.
 *
 * <p>Not thread-safe: one instance per channel, used only on its event loop.
 */
public final class PnetProtector extends ChannelDuplexHandler {

  /** Told when a connection is refused (it is being closed). Called on the event loop, once. */
  public interface Listener {
    void refused(ChannelHandlerContext ctx, String reason);
  }

  /** The nonce each side sends first (spec: "randomNonce(24)"). */
  public static final int NONCE_LENGTH = 24;

  /**
   * How long the peer's nonce and first message may take after the connection is up. An honest peer
   * sends both within one round trip; js-libp2p allows its nonce exchange 1 s.
   */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SwarmKey key;
  private final byte[] expected;
  private final Duration timeout;
  private final Listener listener;
  private final byte[] peerNonce = new byte[NONCE_LENGTH];
  private int peerNonceLength;
  private StreamCipher encrypt;
  private StreamCipher decrypt;
  private int confirmed;
  private boolean refused;
  private boolean closing;
  private ScheduledFuture<?> timer;

  /**
   * @param expectedPlaintext what the peer's first bytes after its nonce must decrypt to
   * @param timeout how long the peer's nonce and {@code expectedPlaintext} may take
   */
  public PnetProtector(
      SwarmKey key, byte[] expectedPlaintext, Duration timeout, Listener listener) {
    if (expectedPlaintext.length == 0) {
      throw new IllegalArgumentException("expectedPlaintext must not be empty");
    }
    this.key = key;
    this.expected = expectedPlaintext.clone();
    this.timeout = timeout;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  /** Sends our nonce (once), before any other byte, and starts the handshake timer. */
  private void start(ChannelHandlerContext ctx) {
    if (encrypt != null) {
      return;
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    encrypt = cipher(nonce);
    ctx.writeAndFlush(Unpooled.wrappedBuffer(nonce));
    timer = ctx.executor().schedule(() -> timedOut(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void timedOut(ChannelHandlerContext ctx) {
    refuse(
        ctx,
        peerNonceLength < NONCE_LENGTH
            ? "no nonce from the peer within "
                + timeout.toMillis()
                + " ms (it is not in a private network, or too slow)"
            : "the peer's first message did not arrive within "
                + timeout.toMillis()
                + " ms (it may have another swarm key)");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf plain;
    try {
      if (refused || !readNonce(ctx, in) || !in.isReadable()) {
        return;
      }
      plain = xor(ctx, in, decrypt);
    } finally {
      in.release();
    }
    if (confirmed < expected.length && !confirm(plain)) {
      plain.release();
      refuse(
          ctx,
          "the peer's bytes do not decrypt to a multistream-select header (another swarm key)");
      return;
    }
    ctx.fireChannelRead(plain);
  }

  /**
   * Moves the peer's nonce from {@code in} (leaving what follows it); true once the nonce is
   * complete and the decrypting cipher is set up.
   */
  private boolean readNonce(ChannelHandlerContext ctx, ByteBuf in) {
    if (decrypt != null) {
      return true;
    }
    int n = Math.min(in.readableBytes(), NONCE_LENGTH - peerNonceLength);
    in.readBytes(peerNonce, peerNonceLength, n);
    peerNonceLength += n;
    int probe = Math.min(expected.length, NONCE_LENGTH);
    if (peerNonceLength >= probe && Arrays.equals(peerNonce, 0, probe, expected, 0, probe)) {
      refuse(
          ctx,
          "the peer sent a multistream-select header in the clear (it is not in a private"
              + " network)");
      return false;
    }
    if (peerNonceLength < NONCE_LENGTH) {
      return false;
    }
    decrypt = cipher(peerNonce);
    return true;
  }

  /** Whether {@code plain} goes on as {@link #expected} does (not consumed). */
  private boolean confirm(ByteBuf plain) {
    int n = Math.min(plain.readableBytes(), expected.length - confirmed);
    int start = plain.readerIndex();
    for (int i = 0; i < n; i++) {
      if (plain.getByte(start + i) != expected[confirmed + i]) {
        return false;
      }
    }
    confirmed += n;
    if (confirmed == expected.length) {
      timer.cancel(false);
    }
    return true;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(
          new IllegalArgumentException(
              "private network: cannot encrypt a " + msg.getClass().getSimpleName()));
      return;
    }
    if (refused) {
      in.release();
      promise.setFailure(new ClosedChannelException());
      return;
    }
    start(ctx);
    ByteBuf sealed;
    try {
      sealed = xor(ctx, in, encrypt);
    } finally {
      in.release();
    }
    ctx.write(sealed, promise);
  }

  /**
   * An I/O error before the handshake is done (most often the peer resetting the connection on our
   * nonce) is a refusal too; later ones go on to the handlers behind.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!refused && confirmed < expected.length && cause instanceof java.io.IOException) {
      refuse(
          ctx, "the connection failed during the private network handshake: " + cause.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    closing = true;
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closing && confirmed < expected.length) {
      refuse(ctx, "the peer closed the connection during the private network handshake");
    }
    if (timer != null) {
      timer.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  private void refuse(ChannelHandlerContext ctx, String reason) {
    if (refused) {
      return;
    }
    refused = true;
    if (timer != null) {
      timer.cancel(false);
    }
    listener.refused(ctx, "private network: " + reason);
    ctx.close();
  }

  private StreamCipher cipher(byte[] nonce) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key.bytes()), nonce));
    return engine;
  }

  /** A new buffer holding {@code in}'s readable bytes XORed with {@code cipher}'s keystream. */
  private static ByteBuf xor(ChannelHandlerContext ctx, ByteBuf in, StreamCipher cipher) {
    int n = in.readableBytes();
    ByteBuf out = ctx.alloc().heapBuffer(n, n);
    try {
      int offset = out.arrayOffset() + out.writerIndex();
      in.readBytes(out, n);
      cipher.processBytes(out.array(), offset, n, out.array(), offset);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }
}
