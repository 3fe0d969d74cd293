package org.chorus.dht.p2p.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Varint length-prefixed messages on a {@link Stream}, the framing of identify, kad and most libp2p
 * request/response protocols. {@link #listener} splits inbound bytes into messages of at most
 * {@code maxMessage} bytes: the length is checked before any of the body is buffered (a bigger one
 * resets the stream), and every piece of the body is reserved on the stream's {@link
 * Stream#memory()} before it is kept (over the connection's memory budget the stream is reset), so
 * a length alone neither allocates nor reserves anything. The reservation is given back once the
 * handler's {@code onMessage} has returned. Not thread-safe: a listener belongs to one stream's I/O
 * thread.
 */
public final class LengthPrefixed {
  /** Receives whole messages. */
  public interface Handler {
    void onMessage(Stream stream, byte[] message);

    /** The peer closed its side; {@code clean} is false if it stopped inside a message. */
    default void onEnd(Stream stream, boolean clean) {}

    /** The stream was reset, or a message broke the cap. */
    default void onError(Stream stream, Throwable cause) {}
  }

  private LengthPrefixed() {}

  /** Writes {@code varint(len) || message}. */
  public static CompletableFuture<Void> write(Stream stream, byte[] message) {
    byte[] len = Varint.encode(message.length);
    byte[] framed = new byte[len.length + message.length];
    System.arraycopy(len, 0, framed, 0, len.length);
    System.arraycopy(message, 0, framed, len.length, message.length);
    return stream.write(framed);
  }

  /** A listener that hands whole messages to {@code handler}. */
  public static StreamListener listener(int maxMessage, Handler handler) {
    return new Reader(maxMessage, handler);
  }

  private static final class Reader implements StreamListener {
    private final int max;
    private final Handler handler;
    private final ArrayList<byte[]> parts = new ArrayList<>();
    private int filled;
    private long reserved;
    private long length = -1;
    private long lengthAcc;
    private int lengthBytes;
    private boolean failed;

    Reader(int max, Handler handler) {
      this.max = max;
      this.handler = handler;
    }

    @Override
    public void onData(Stream stream, byte[] data) {
      int i = 0;
      while (i < data.length && !failed) {
        if (length < 0) {
          int b = data[i++] & 0xFF;
          lengthAcc |= (long) (b & 0x7F) << (7 * lengthBytes);
          lengthBytes++;
          if ((b & 0x80) != 0) {
            if (lengthBytes >= Varint.MAX_BYTES) {
              fail(stream, "message length varint too long");
            }
            continue;
          }
          if (lengthAcc > max) {
            fail(stream, "message of " + lengthAcc + " bytes exceeds " + max);
            return;
          }
          length = lengthAcc;
          filled = 0;
          lengthAcc = 0;
          lengthBytes = 0;
        }
        int n = (int) Math.min(length - filled, data.length - i);
        if (n > 0) {
          if (!stream.memory().reserve(n)) {
            fail(stream, "message of " + length + " bytes over the connection's memory budget");
            return;
          }
          reserved += n;
          parts.add(i == 0 && n == data.length ? data : Arrays.copyOfRange(data, i, i + n));
          filled += n;
          i += n;
        }
        if (filled == length) {
          byte[] msg = assemble();
          length = -1;
          long held = reserved;
          reserved = 0;
          try {
            handler.onMessage(stream, msg);
          } finally {
            stream.memory().release((int) held);
          }
        }
      }
    }

    /** The message from its parts (no copy when it came in one piece). */
    private byte[] assemble() {
      byte[] msg;
      if (parts.size() == 1) {
        msg = parts.get(0);
      } else {
        msg = new byte[filled];
        int at = 0;
        for (byte[] p : parts) {
          System.arraycopy(p, 0, msg, at, p.length);
          at += p.length;
        }
      }
      parts.clear();
      return msg;
    }

    /** Gives back the reservation of a message cut short. */
    private void dropPartial(Stream stream) {
      parts.clear();
      if (reserved > 0) {
        stream.memory().release((int) reserved);
        reserved = 0;
      }
    }

    private void fail(Stream stream, String reason) {
      failed = true;
      dropPartial(stream);
      stream.reset();
      handler.onError(stream, ProtocolException.stream("failed to read message: " + reason));
    }

    @Override
    public void onRemoteClose(Stream stream) {
      dropPartial(stream);
      if (!failed) {
        handler.onEnd(stream, length < 0 && lengthBytes == 0);
      }
    }

    @Override
    public void onReset(Stream stream, Throwable cause) {
      dropPartial(stream);
      if (!failed) {
        handler.onError(stream, cause);
      }
    }
  }
}
