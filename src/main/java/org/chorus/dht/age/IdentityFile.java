package org.chorus.dht.age;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Identity files as {@code age-keygen} writes them: {@code #} comments, blank lines and one {@code
 * AGE-SECRET-KEY-1...} per line. Stateless and thread-safe.
 */
public final class IdentityFile {

  private IdentityFile() {}

  /**
   * Parses identity file text.
   *
   * @throws IllegalArgumentException naming the line that is not a valid identity, or if the text
   *     holds none
   */
  public static List<Identity> parse(String text) {
    List<Identity> identities = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        identities.add(X25519Identity.parse(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "failed to parse identity file: line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    if (identities.isEmpty()) {
      throw new IllegalArgumentException("failed to parse identity file: no secret keys found");
    }
    return identities;
  }

  /** Reads and parses an identity file. */
  public static List<Identity> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The file text {@code age-keygen} would write for the identity. */
  public static String format(X25519Identity identity, Instant created) {
    return "# created: "
        + created.truncatedTo(ChronoUnit.SECONDS)
        + "\n# public key: "
        + identity.recipient().encode()
        + "\n"
        + identity.encode()
        + "\n";
  }
}
