package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.chorus.dht.age.ArmorException;

/**
 * Strict ASCII armor decoder. Accepts LF or CRLF line ends and up to 1 KiB of whitespace before the
 * BEGIN line and after the END line; rejects everything else that is not canonical: wrong label,
 * headers, empty or short lines before the last, lines over 64 columns, whitespace inside, bad or
 * missing padding, garbage around it, a missing END line. Reads one line at a time, so memory is
 * bounded. Not thread-safe.
 */
public final class ArmorInputStream extends RefillingInputStream {

  private static final int MAX_WHITESPACE = 1024;
  private static final int COLUMNS = 64;
  private static final byte[] BEGIN = ArmorOutputStream.BEGIN.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = ArmorOutputStream.END.getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final byte[] buf = new byte[8192];
  private int bufPos;
  private int bufLim;
  private final byte[] line = new byte[Math.max(BEGIN.length, COLUMNS) + 2];
  private boolean started;

  public ArmorInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  protected void refill() throws IOException {
    if (!started) {
      skipWhitespace();
      int n = readLine();
      if (n < 0 || !Arrays.equals(line, 0, n, BEGIN, 0, BEGIN.length)) {
        throw new ArmorException("failed to read armor: invalid first line");
      }
      started = true;
    }
    int n = readLine();
    if (n < 0) {
      throw new ArmorException("failed to read armor: missing END line");
    }
    if (isEnd(n)) {
      finish();
      return;
    }
    if (n == 0) {
      throw new ArmorException("failed to read armor: empty line");
    }
    byte[] bytes = Base64s.decodePaddedCanonical(line, n);
    if (bytes == null) {
      throw new ArmorException("failed to read armor: invalid base64 line");
    }
    buffer = bytes;
    pos = 0;
    limit = bytes.length;
    if (bytes.length < ArmorOutputStream.BYTES_PER_LINE) {
      int end = readLine();
      if (end < 0 || !isEnd(end)) {
        throw new ArmorException("failed to read armor: short line before the END line");
      }
      finish();
    }
  }

  private boolean isEnd(int n) {
    return Arrays.equals(line, 0, n, END, 0, END.length);
  }

  private void finish() throws IOException {
    finished = true;
    for (int i = 0; i <= MAX_WHITESPACE; i++) {
      int b = next();
      if (b < 0) {
        return;
      }
      if (!isWhitespace(b)) {
        throw new ArmorException("failed to read armor: data after the END line");
      }
    }
    throw new ArmorException("failed to read armor: too much whitespace after the END line");
  }

  private void skipWhitespace() throws IOException {
    for (int i = 0; i <= MAX_WHITESPACE; i++) {
      int b = next();
      if (b < 0) {
        return;
      }
      if (!isWhitespace(b)) {
        bufPos--;
        return;
      }
    }
    throw new ArmorException("failed to read armor: too much whitespace before the BEGIN line");
  }

  /** Reads one line into {@link #line}, without LF or CRLF; -1 at end of input. */
  private int readLine() throws IOException {
    int n = 0;
    int b;
    while ((b = next()) >= 0 && b != '\n') {
      if (n == line.length) {
        throw new ArmorException("failed to read armor: line too long");
      }
      line[n++] = (byte) b;
    }
    if (b < 0 && n == 0) {
      return -1;
    }
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    if (n > COLUMNS && !isEnd(n) && !Arrays.equals(line, 0, n, BEGIN, 0, BEGIN.length)) {
      throw new ArmorException("failed to read armor: line longer than 64 columns");
    }
    return n;
  }

  private int next() throws IOException {
    if (bufPos == bufLim) {
      bufLim = in.read(buf, 0, buf.length);
      bufPos = 0;
      if (bufLim <= 0) {
        bufLim = 0;
        return -1;
      }
    }
    return buf[bufPos++] & 0xff;
  }

  private static boolean isWhitespace(int b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
