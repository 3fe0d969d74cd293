package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An input stream that hands out a buffer a subclass refills one unit at a time (an armor line, a
 * batch of chunks). A failure recorded by {@link #refill()} is thrown once the data before it has
 * been read, and again on every later read. Not thread-safe.
 */
abstract class RefillingInputStream extends InputStream {

  /** The data being handed out: {@code buffer[pos..limit)}. */
  protected byte[] buffer = new byte[0];

  protected int pos;
  protected int limit;

  /** Set when the stream has ended (cleanly, or with {@link #failure}). */
  protected boolean finished;

  /** Thrown after the buffered data, when set. */
  protected IOException failure;

  /**
   * Makes more data available in {@link #buffer}, or sets {@link #finished} (and possibly {@link
   * #failure}). An exception thrown here is recorded as the failure.
   */
  protected abstract void refill() throws IOException;

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (pos == limit) {
      if (failure != null) {
        throw failure;
      }
      if (finished) {
        return -1;
      }
      try {
        refill();
      } catch (IOException e) {
        failure = e;
        finished = true;
        throw e;
      }
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buffer, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public final int available() {
    return limit - pos;
  }
}
