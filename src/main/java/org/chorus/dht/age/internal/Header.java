package org.chorus.dht.age.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.chorus.dht.age.HeaderException;
import org.chorus.dht.age.Stanza;

/**
 * The age v1 header (C2SP age, "Header"): version line, stanzas, MAC line. Parsing is strict —
 * canonical base64, exact line lengths, LF only — so that the raw bytes the MAC covers are the one
 * encoding of the parsed header. Immutable and thread-safe.
 *
 * @param stanzas the recipient stanzas, in file order
 * @param macInput the header bytes the MAC covers: everything up to and including {@code ---}
 * @param mac the 32-byte MAC from the file
 */
public record Header(List<Stanza> stanzas, byte[] macInput, byte[] mac) {

  /** The version line, without its newline. */
  public static final String VERSION_LINE = "age-encryption.org/v1";

  /** Cap on the whole header: a larger header is rejected before it is buffered. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  /** Body lines of a stanza are exactly this many columns, except a shorter final line. */
  public static final int COLUMNS = 64;

  private static final int MAC_SIZE = 32;
  private static final String STANZA_PREFIX = "-> ";
  private static final String FOOTER_PREFIX = "---";

  /** Writes a header for the stanzas, MACed with the file key, and returns its bytes. */
  public static byte[] encode(List<Stanza> stanzas, byte[] fileKey) {
    StringBuilder sb = new StringBuilder(128 * (stanzas.size() + 1));
    sb.append(VERSION_LINE).append('\n');
    for (Stanza s : stanzas) {
      sb.append(STANZA_PREFIX).append(s.type());
      for (String arg : s.args()) {
        sb.append(' ').append(arg);
      }
      sb.append('\n');
      String body = Base64s.encode(s.body());
      int i = 0;
      for (; i + COLUMNS <= body.length(); i += COLUMNS) {
        sb.append(body, i, i + COLUMNS).append('\n');
      }
      sb.append(body, i, body.length()).append('\n');
    }
    sb.append(FOOTER_PREFIX);
    byte[] macInput = sb.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] mac = mac(fileKey, macInput);
    String macLine = " " + Base64s.encode(mac) + "\n";
    byte[] out = Arrays.copyOf(macInput, macInput.length + macLine.length());
    System.arraycopy(
        macLine.getBytes(StandardCharsets.US_ASCII), 0, out, macInput.length, macLine.length());
    return out;
  }

  /**
   * Reads a header from {@code in}, leaving the stream just past the MAC line.
   *
   * @throws HeaderException if the header is malformed, too large or the stream ends early
   */
  public static Header read(InputStream in) throws IOException {
    LineReader reader = new LineReader(in);
    String version = reader.line();
    if (!VERSION_LINE.equals(version)) {
      if (version != null && version.startsWith("age-encryption.org/")) {
        throw new HeaderException("failed to read header: unsupported version " + quote(version));
      }
      throw new HeaderException("failed to read header: not an age file (bad intro line)");
    }
    List<Stanza> stanzas = new ArrayList<>();
    while (true) {
      int lineStart = reader.consumed();
      String line = reader.line();
      if (line == null) {
        throw new HeaderException("failed to read header: unexpected end of file");
      }
      if (line.startsWith(FOOTER_PREFIX)) {
        byte[] mac = parseMacLine(line);
        byte[] macInput = Arrays.copyOf(reader.raw(), lineStart + FOOTER_PREFIX.length());
        return new Header(stanzas, macInput, mac);
      }
      if (!line.startsWith(STANZA_PREFIX)) {
        throw new HeaderException("failed to read header: unexpected line " + quote(line));
      }
      stanzas.add(readStanza(line, reader));
    }
  }

  /** HMAC-SHA-256 of the header under the key HKDF(fileKey, "", "header"). */
  public static byte[] mac(byte[] fileKey, byte[] macInput) {
    try {
      byte[] key = Hkdf.sha256(fileKey, new byte[0], "header", 32);
      Mac hmac = Hkdf.hmacSha256();
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      return hmac.doFinal(macInput);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Whether the header's MAC matches the one computed from the file key (constant time). */
  public boolean macMatches(byte[] fileKey) {
    return MessageDigest.isEqual(mac(fileKey, macInput), mac);
  }

  private static byte[] parseMacLine(String line) throws HeaderException {
    if (!line.startsWith(FOOTER_PREFIX + " ")) {
      throw new HeaderException("failed to read header: malformed MAC line");
    }
    byte[] mac = Base64s.decodeCanonical(line.substring(FOOTER_PREFIX.length() + 1));
    if (mac == null || mac.length != MAC_SIZE) {
      throw new HeaderException("failed to read header: malformed MAC");
    }
    return mac;
  }

  private static Stanza readStanza(String line, LineReader reader) throws IOException {
    String[] parts = line.substring(STANZA_PREFIX.length()).split(" ", -1);
    for (String part : parts) {
      if (!isValidArgument(part)) {
        throw new HeaderException("failed to read header: malformed stanza " + quote(line));
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String bodyLine = reader.line();
      if (bodyLine == null) {
        throw new HeaderException("failed to read header: stanza body ends early");
      }
      if (bodyLine.length() > COLUMNS) {
        throw new HeaderException("failed to read header: stanza body line too long");
      }
      byte[] chunk = Base64s.decodeCanonical(bodyLine);
      if (chunk == null) {
        throw new HeaderException("failed to read header: malformed stanza body line");
      }
      body.writeBytes(chunk);
      if (bodyLine.length() < COLUMNS) {
        break;
      }
    }
    return new Stanza(
        parts[0], List.of(Arrays.copyOfRange(parts, 1, parts.length)), body.toByteArray());
  }

  private static boolean isValidArgument(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 33 || c > 126) {
        return false;
      }
    }
    return true;
  }

  private static String quote(String s) {
    String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
  }

  /** Reads LF-terminated lines byte by byte (so nothing past the header is consumed). */
  private static final class LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream(256);

    LineReader(InputStream in) {
      this.in = in;
    }

    /** The next line without its LF, or null at a clean end of stream. */
    String line() throws IOException {
      StringBuilder line = new StringBuilder(80);
      while (true) {
        int b = in.read();
        if (b < 0) {
          if (line.isEmpty()) {
            return null;
          }
          throw new HeaderException("failed to read header: line not terminated by newline");
        }
        if (raw.size() >= MAX_HEADER_BYTES) {
          throw new HeaderException(
              "failed to read header: larger than " + MAX_HEADER_BYTES + " bytes");
        }
        raw.write(b);
        if (b == '\n') {
          return line.toString();
        }
        line.append((char) b);
      }
    }

    int consumed() {
      return raw.size();
    }

    byte[] raw() {
      return raw.toByteArray();
    }
  }
}
