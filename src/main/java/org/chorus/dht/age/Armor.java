package org.chorus.dht.age;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.chorus.dht.age.internal.ArmorInputStream;
import org.chorus.dht.age.internal.ArmorOutputStream;

/** ASCII armor for age files (C2SP age, "ASCII armor"). Stateless and thread-safe. */
public final class Armor {

  private static final byte[] BEGIN = ArmorOutputStream.BEGIN.getBytes(StandardCharsets.US_ASCII);
  private static final int PEEK = 1024 + BEGIN.length;

  private Armor() {}

  /** Returns a stream that armors what is written; its {@code close()} writes the END line. */
  public static OutputStream armor(OutputStream dst) throws IOException {
    return new ArmorOutputStream(dst);
  }

  /** Returns a stream that strictly decodes armor; errors are {@link ArmorException}s. */
  public static InputStream dearmor(InputStream src) {
    return new ArmorInputStream(src);
  }

  /**
   * Returns {@code src} dearmored if it starts (after whitespace) with the armor's BEGIN line,
   * otherwise a stream of the same bytes.
   */
  public static InputStream detect(InputStream src) throws IOException {
    BufferedInputStream in = new BufferedInputStream(src, Math.max(8192, PEEK));
    in.mark(PEEK);
    byte[] head = in.readNBytes(PEEK);
    in.reset();
    int i = 0;
    while (i < head.length
        && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
      i++;
    }
    boolean armored = head.length - i >= BEGIN.length;
    for (int j = 0; armored && j < BEGIN.length; j++) {
      armored = head[i + j] == BEGIN[j];
    }
    return armored ? new ArmorInputStream(in) : in;
  }
}
