package org.chorus.dht.p2p.pnet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The pre-shared key of a libp2p private network (pnet/Private-Networks-PSK-V1.md, "Interface"): 32
 * bytes, kept in a swarm key file as Kubo and js-libp2p write it, three lines:
 *
 * <pre>
 * /key/swarm/psk/1.0.0/
 * /base16/
 * 64 hex digits
 * </pre>
 *
 * <p>Parsing is strict: exactly these lines, a line break ({@code \n} or {@code \r\n}) after each
 * of the first two and optionally after the third, nothing else. The spec also names {@code /bin/}
 * and {@code /base64/} encodings; they are refused with a message saying so, since neither Kubo's
 * key generator nor js-libp2p writes them. Error messages never contain the key.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the {@link #fingerprint()}.
 */
public final class SwarmKey {

  /** Line 1: the path multicodec of a PSK v1 swarm key. */
  public static final String CODEC = "/key/swarm/psk/1.0.0/";

  /** Line 2: the only encoding of line 3 accepted (and written). */
  public static final String ENCODING = "/base16/";

  /** Key length in bytes (256 bits). */
  public static final int LENGTH = 32;

  /** Largest key file read: a valid one is at most 97 bytes. */
  static final int MAX_FILE_BYTES = 1024;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;

  private SwarmKey(byte[] key) {
    this.key = key;
  }

  /** A new random key. */
  public static SwarmKey generate() {
    byte[] key = new byte[LENGTH];
    RANDOM.nextBytes(key);
    return new SwarmKey(key);
  }

  /** The key {@code bytes} (copied); exactly {@link #LENGTH} bytes. */
  public static SwarmKey of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "a swarm key is " + LENGTH + " bytes, not " + bytes.length);
    }
    return new SwarmKey(bytes.clone());
  }

  /**
   * Parses the contents of a swarm key file.
   *
   * @throws IllegalArgumentException saying what is wrong (without the key)
   */
  public static SwarmKey parse(byte[] file) {
    if (file.length == 0) {
      throw new IllegalArgumentException("the file is empty");
    }
    if (file.length > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          "the file is larger than " + MAX_FILE_BYTES + " bytes, not a swarm key");
    }
    if (file.length >= 3 && (file[0] & 0xff) == 0xef && (file[1] & 0xff) == 0xbb) {
      throw new IllegalArgumentException("the file starts with a byte order mark; save it without");
    }
    String text = new String(file, StandardCharsets.ISO_8859_1);
    String[] lines = lines(text);
    expectLine(lines, 0, CODEC, "not a swarm key file");
    if (lines.length > 1 && (lines[1].equals("/base64/") || lines[1].equals("/bin/"))) {
      throw new IllegalArgumentException(
          "line 2 is "
              + lines[1]
              + ": only "
              + ENCODING
              + " keys are supported (as Kubo's and js-libp2p's key generators write them)");
    }
    expectLine(lines, 1, ENCODING, "the key encoding");
    if (lines.length < 3) {
      throw new IllegalArgumentException(
          "line 3 is missing: expected " + 2 * LENGTH + " hex digits");
    }
    if (lines.length > 3) {
      throw new IllegalArgumentException(
          "unexpected content after line 3 (a swarm key file has three lines)");
    }
    return new SwarmKey(hex(lines[2]));
  }

  /** A swarm key file that could not be read or is not a swarm key. */
  public static final class FileException extends IOException {
    private final transient Path file;
    private final String reason;

    FileException(Path file, String reason, Throwable cause) {
      super("failed to read swarm key file " + file + ": " + reason, cause);
      this.file = file;
      this.reason = reason;
    }

    public Path file() {
      return file;
    }

    /** What is wrong, without the file name. */
    public String reason() {
      return reason;
    }
  }

  /**
   * Reads and parses the swarm key file {@code file}.
   *
   * @throws FileException "failed to read swarm key file FILE: what is wrong"
   */
  public static SwarmKey read(Path file) throws FileException {
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new FileException(file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new FileException(file, "permission denied", e);
    } catch (IOException e) {
      String reason =
          Files.isDirectory(file) ? "it is a directory" : String.valueOf(e.getMessage());
      throw new FileException(file, reason, e);
    }
    try {
      return parse(content);
    } catch (IllegalArgumentException e) {
      throw new FileException(file, e.getMessage(), e);
    }
  }

  /** The file contents: the three lines, each ending in {@code \n}. */
  public byte[] encode() {
    String text = CODEC + "\n" + ENCODING + "\n" + HexFormat.of().formatHex(key) + "\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The first 8 bytes of SHA-256 of the key, in hex: safe to log and compare between nodes (it
   * tells nothing usable about the key). By hand: {@code sed -n 3p swarm.key | tr -d '\r\n' | xxd
   * -r -p | sha256sum | cut -c1-16}. Not the same value as Kubo's fingerprint.
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** The key itself, for the protector of this package only. */
  byte[] bytes() {
    return key.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SwarmKey other && MessageDigest.isEqual(key, other.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "SwarmKey[" + fingerprint() + "]";
  }

  /**
   * The lines of {@code text}: split at {@code \n}, one {@code \r} before it dropped, one line
   * break at the very end allowed.
   */
  private static String[] lines(String text) {
    String body = text;
    if (body.endsWith("\r\n")) {
      body = body.substring(0, body.length() - 2);
    } else if (body.endsWith("\n")) {
      body = body.substring(0, body.length() - 1);
    }
    String[] lines = body.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].endsWith("\r")) {
        lines[i] = lines[i].substring(0, lines[i].length() - 1);
      }
    }
    return lines;
  }

  private static void expectLine(String[] lines, int i, String expected, String what) {
    if (lines.length <= i) {
      throw new IllegalArgumentException(
          "line " + (i + 1) + " is missing: expected " + expected + " (" + what + ")");
    }
    if (!lines[i].equals(expected)) {
      throw new IllegalArgumentException(
          "line "
              + (i + 1)
              + " is "
              + shown(lines[i])
              + ", expected "
              + expected
              + " ("
              + what
              + ")");
    }
  }

  /**
   * A line for an error message: quoted if it looks like a codec path (printable, starts with
   * {@code /}, short), else only its length, so that a key pasted into the wrong line is not
   * logged.
   */
  private static String shown(String line) {
    boolean printable = line.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    if (line.startsWith("/") && printable && line.length() <= 40) {
      return "'" + line + "'";
    }
    return line.isEmpty() ? "empty" : "something else (" + line.length() + " characters)";
  }

  private static byte[] hex(String line) {
    if (line.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "line 3 must be "
              + 2 * LENGTH
              + " hex digits ("
              + LENGTH
              + " bytes), found "
              + line.length()
              + " characters");
    }
    for (int i = 0; i < line.length(); i++) {
      if (!HexFormat.isHexDigit(line.charAt(i))) {
        throw new IllegalArgumentException(
            "line 3 must be "
                + 2 * LENGTH
                + " hex digits, found another character at column "
                + (i + 1));
      }
    }
    return HexFormat.of().parseHex(line);
  }
}
