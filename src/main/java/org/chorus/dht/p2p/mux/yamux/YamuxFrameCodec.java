package org.chorus.dht.p2p.mux.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.chorus.dht.p2p.core.ProtocolException;

/**
 * Yamux frame reader and writer. The reader only parses: it hands each whole frame to a {@link
 * Listener} and never interprets stream state. The 12-byte header is checked (version, type, data
 * length ≤ {@code maxDataLength}) before any payload is waited for, so a hostile length never makes
 * us buffer more than that. Stateless, thread-safe.
 */
public final class YamuxFrameCodec {
  /** Receives parsed frames. Data payloads are retained slices: the listener must release them. */
  public interface Listener {
    void onData(int streamId, int flags, ByteBuf data);

    void onWindowUpdate(int streamId, int flags, long delta);

    void onPing(int flags, long opaque);

    void onGoAway(long code);
  }

  private YamuxFrameCodec() {}

  /**
   * Parses as many whole frames as {@code in} holds (the caller owns {@code in}; a partial frame is
   * left unread).
   *
   * @throws ProtocolException (connection scope) for a bad version, unknown type or oversized frame
   */
  public static void decode(ByteBuf in, int maxDataLength, Listener listener) {
    while (in.readableBytes() >= YamuxFrame.HEADER_LENGTH) {
      int base = in.readerIndex();
      int version = in.getUnsignedByte(base);
      int type = in.getUnsignedByte(base + 1);
      int flags = in.getUnsignedShort(base + 2);
      int streamId = in.getInt(base + 4);
      long length = in.getUnsignedInt(base + 8);
      if (version != YamuxFrame.VERSION) {
        throw ProtocolException.connection("yamux: unsupported version " + version);
      }
      switch (type) {
        case YamuxFrame.TYPE_DATA -> {
          if (length > maxDataLength) {
            throw ProtocolException.connection(
                "yamux: data frame of " + length + " bytes exceeds " + maxDataLength);
          }
          if (in.readableBytes() < YamuxFrame.HEADER_LENGTH + length) {
            return;
          }
          in.skipBytes(YamuxFrame.HEADER_LENGTH);
          ByteBuf data = in.readRetainedSlice((int) length);
          listener.onData(streamId, flags, data);
        }
        case YamuxFrame.TYPE_WINDOW_UPDATE -> {
          in.skipBytes(YamuxFrame.HEADER_LENGTH);
          listener.onWindowUpdate(streamId, flags, length);
        }
        case YamuxFrame.TYPE_PING -> {
          in.skipBytes(YamuxFrame.HEADER_LENGTH);
          if (streamId != 0) {
            throw ProtocolException.connection("yamux: ping on stream " + streamId);
          }
          listener.onPing(flags, length);
        }
        case YamuxFrame.TYPE_GO_AWAY -> {
          in.skipBytes(YamuxFrame.HEADER_LENGTH);
          if (streamId != 0) {
            throw ProtocolException.connection("yamux: go-away on stream " + streamId);
          }
          listener.onGoAway(length);
        }
        default -> throw ProtocolException.connection("yamux: unknown frame type " + type);
      }
    }
  }

  /** A frame header (for data frames, the payload follows separately). */
  public static ByteBuf header(
      ByteBufAllocator alloc, int type, int flags, int streamId, long length) {
    ByteBuf b = alloc.buffer(YamuxFrame.HEADER_LENGTH);
    writeHeader(b, type, flags, streamId, length);
    return b;
  }

  public static void writeHeader(ByteBuf b, int type, int flags, int streamId, long length) {
    b.writeByte(YamuxFrame.VERSION);
    b.writeByte(type);
    b.writeShort(flags);
    b.writeInt(streamId);
    b.writeInt((int) length);
  }
}
