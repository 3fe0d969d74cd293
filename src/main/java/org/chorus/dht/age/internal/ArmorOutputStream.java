package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Writes ASCII armor (C2SP age, "ASCII armor"): the BEGIN line, padded standard base64 in 64-column
 * lines, the END line. Not thread-safe.
 */
public final class ArmorOutputStream extends OutputStream {

  public static final String BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
  public static final String END = "-----END AGE ENCRYPTED FILE-----";

  /** Bytes per 64-column line. */
  static final int BYTES_PER_LINE = 48;

  private static final int BATCH = BYTES_PER_LINE * 1024;
  private static final Base64.Encoder LINES =
      Base64.getMimeEncoder(64, new byte[] {'\n'}); // lines of 64, LF between them

  private final OutputStream out;
  private final byte[] batch = new byte[BATCH];
  private int buffered;
  private boolean closed;

  public ArmorOutputStream(OutputStream out) throws IOException {
    this.out = out;
    out.write((BEGIN + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    while (len > 0) {
      int n = Math.min(len, BATCH - buffered);
      System.arraycopy(b, off, batch, buffered, n);
      buffered += n;
      off += n;
      len -= n;
      if (buffered == BATCH) {
        emit(BATCH);
      }
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Writes the last line and the END line, then closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      if (buffered > 0) {
        emit(buffered);
      }
      out.write((END + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private void emit(int n) throws IOException {
    byte[] text = LINES.encode(n == batch.length ? batch : java.util.Arrays.copyOf(batch, n));
    out.write(text);
    out.write('\n');
    buffered = 0;
  }
}
