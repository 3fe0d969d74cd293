package org.chorus.dht.age;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Recipients files as {@code age -R} reads them: {@code #} comments, blank lines and one {@code
 * age1...} per line. Stateless and thread-safe.
 */
public final class RecipientsFile {

  private RecipientsFile() {}

  /**
   * Parses recipients file text.
   *
   * @throws IllegalArgumentException naming the line that is not a valid recipient, or if the text
   *     holds none
   */
  public static List<Recipient> parse(String text) {
    List<Recipient> recipients = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        recipients.add(X25519Recipient.parse(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "failed to parse recipients file: line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("failed to parse recipients file: no recipients found");
    }
    return recipients;
  }

  /** Reads and parses a recipients file. */
  public static List<Recipient> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }
}
