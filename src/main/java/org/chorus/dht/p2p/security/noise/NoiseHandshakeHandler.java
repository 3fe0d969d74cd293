package org.chorus.dht.p2p.security.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Runs the Noise XX handshake on a channel: 2-byte big-endian length-prefixed messages. On success
 * it installs a {@link NoiseTransportCodec} in its place (via {@link Listener#secured}, which also
 * installs the next stage after it) and removes itself; early transport bytes are handed on by
 * {@link ByteToMessageDecoder}. Any error calls {@link Listener#failed} with the reason. Inbound
 * buffers are released by the base class.
 *
 * <p>The remote peer id is checked as soon as the handshake proves it ({@link PeerCheck}): by the
 * initiator after message 2, before message 3 reveals our identity; by the responder after message
 * 3. A refused peer fails the handshake, so nothing (identify, kad) ever runs on the connection.
 */
public final class NoiseHandshakeHandler extends ByteToMessageDecoder {
  /** Callbacks on the event loop. */
  public interface Listener {
    /** The handshake succeeded; {@code codec} must be added after the handshake handler. */
    void secured(
        ChannelHandlerContext ctx, NoiseTransportCodec codec, NoisePayload.Verified remote);

    void failed(ChannelHandlerContext ctx, String reason);
  }

  /** Decides whether the handshake goes on with a proven remote peer. Called on the event loop. */
  @FunctionalInterface
  public interface PeerCheck {
    /** Admits every peer. */
    PeerCheck ANY = peer -> null;

    /** Null to go on, else why {@code peer} is refused (the handshake then fails with it). */
    String refusal(PeerId peer);
  }

  private final NoiseSecurity security;
  private final boolean initiator;
  private final Optional<PeerId> expected;
  private final PeerCheck check;
  private final Listener listener;
  private final HandshakeState hs;
  private NoisePayload.Verified remote;
  private boolean finished;

  public NoiseHandshakeHandler(
      NoiseSecurity security, boolean initiator, Optional<PeerId> expected, Listener listener) {
    this(security, initiator, expected, PeerCheck.ANY, listener);
  }

  /**
   * @param expected the peer id the remote must prove (a dial to {@code /p2p/<id>})
   * @param check consulted once the remote peer id is proven
   */
  public NoiseHandshakeHandler(
      NoiseSecurity security,
      boolean initiator,
      Optional<PeerId> expected,
      PeerCheck check,
      Listener listener) {
    this.security = security;
    this.initiator = initiator;
    this.expected = expected;
    this.check = check;
    this.listener = listener;
    this.hs = new HandshakeState(initiator, security.staticKey);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (initiator) {
      try {
        send(ctx, hs.writeMessage1(new byte[0]));
      } catch (GeneralSecurityException e) {
        fail(ctx, "failed to start noise handshake: " + e.getMessage());
      }
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!finished && in.readableBytes() >= 2) {
      int len = in.getUnsignedShort(in.readerIndex());
      if (in.readableBytes() < 2 + len) {
        return;
      }
      in.skipBytes(2);
      byte[] msg = new byte[len];
      in.readBytes(msg);
      try {
        step(ctx, msg);
      } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
        fail(ctx, "failed to secure connection: " + e.getMessage());
        return;
      }
    }
  }

  private void step(ChannelHandlerContext ctx, byte[] msg) throws GeneralSecurityException {
    if (initiator) {
      byte[] payload = hs.readMessage2(msg);
      remote = checkPeer(NoisePayload.verify(payload, hs.remoteStatic()));
      send(ctx, hs.writeMessage3(security.payload));
      done(ctx);
    } else if (remote == null && !sentSecond) {
      hs.readMessage1(msg);
      send(ctx, hs.writeMessage2(security.payload));
      sentSecond = true;
    } else {
      byte[] payload = hs.readMessage3(msg);
      remote = checkPeer(NoisePayload.verify(payload, hs.remoteStatic()));
      done(ctx);
    }
  }

  private boolean sentSecond;

  private NoisePayload.Verified checkPeer(NoisePayload.Verified v) {
    if (expected.isPresent() && !expected.get().equals(v.peerId())) {
      throw new IllegalArgumentException(
          "peer id mismatch: expected " + expected.get() + ", got " + v.peerId());
    }
    String refused = check.refusal(v.peerId());
    if (refused != null) {
      throw new IllegalStateException("peer " + v.peerId() + " refused: " + refused);
    }
    return v;
  }

  private void done(ChannelHandlerContext ctx) {
    finished = true;
    CipherState[] cs = hs.split();
    listener.secured(ctx, new NoiseTransportCodec(cs[0], cs[1]), remote);
    ctx.pipeline().remove(this);
  }

  private void send(ChannelHandlerContext ctx, byte[] msg) {
    ByteBuf buf = ctx.alloc().buffer(2 + msg.length);
    buf.writeShort(msg.length);
    buf.writeBytes(msg);
    ctx.writeAndFlush(buf);
  }

  private void fail(ChannelHandlerContext ctx, String reason) {
    if (!finished) {
      finished = true;
      listener.failed(ctx, reason);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    fail(ctx, "failed to secure connection: connection closed during handshake");
    super.channelInactive(ctx);
  }

  static ByteBuf frame(byte[] msg) {
    return Unpooled.wrappedBuffer(new byte[] {(byte) (msg.length >>> 8), (byte) msg.length}, msg);
  }
}
