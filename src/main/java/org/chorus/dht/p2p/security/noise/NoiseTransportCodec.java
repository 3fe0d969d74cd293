package org.chorus.dht.p2p.security.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import io.netty.handler.codec.DecoderException;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Noise transport messages after the handshake: inbound {@code u16 length || ciphertext} frames are
 * decrypted into plaintext buffers (which the next handler owns and releases); outbound plaintext
 * buffers are cut into pieces of at most {@link NoiseSecurity#MAX_PLAINTEXT} bytes and encrypted
 * (the base class releases the plaintext). A frame shorter than the tag or failing authentication
 * raises a {@link DecoderException}, which closes the connection. The length field cannot exceed
 * 65535, so a frame never needs more than that. Confined to the event loop.
 */
public final class NoiseTransportCodec extends ByteToMessageCodec<ByteBuf> {
  private final CipherState sender;
  private final CipherState receiver;
  private final byte[] plainScratch = new byte[NoiseSecurity.MAX_MESSAGE];
  private final byte[] cipherScratch = new byte[NoiseSecurity.MAX_MESSAGE];

  NoiseTransportCodec(CipherState sender, CipherState receiver) {
    this.sender = sender;
    this.receiver = receiver;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, ByteBuf out)
      throws GeneralSecurityException {
    int frames =
        (msg.readableBytes() + NoiseSecurity.MAX_PLAINTEXT - 1) / NoiseSecurity.MAX_PLAINTEXT;
    out.ensureWritable(msg.readableBytes() + frames * (2 + CipherState.TAG));
    while (msg.isReadable()) {
      int n = Math.min(msg.readableBytes(), NoiseSecurity.MAX_PLAINTEXT);
      msg.readBytes(plainScratch, 0, n);
      int c = sender.encrypt(null, plainScratch, 0, n, cipherScratch, 0);
      out.writeShort(c);
      out.writeBytes(cipherScratch, 0, c);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.readableBytes() >= 2) {
      int len = in.getUnsignedShort(in.readerIndex());
      if (in.readableBytes() < 2 + len) {
        return;
      }
      if (len < CipherState.TAG) {
        in.skipBytes(in.readableBytes()); // the connection is going down; read nothing more
        throw new DecoderException("noise frame of " + len + " bytes is shorter than its tag");
      }
      in.skipBytes(2);
      in.readBytes(cipherScratch, 0, len);
      int p;
      try {
        p = receiver.decrypt(null, cipherScratch, 0, len, plainScratch, 0);
      } catch (GeneralSecurityException e) {
        in.skipBytes(in.readableBytes());
        throw new DecoderException("failed to decrypt noise frame: " + e.getMessage());
      }
      if (p > 0) {
        ByteBuf plain = ctx.alloc().buffer(p);
        plain.writeBytes(plainScratch, 0, p);
        out.add(plain);
      }
    }
  }
}
