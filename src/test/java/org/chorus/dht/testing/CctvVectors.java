package org.chorus.dht.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.InflaterInputStream;

/**
 * Loads the C2SP CCTV age test vectors, copied into this repository as the test resources folder
 * {@code age-testkit} (its README gives their source, format and license): each file is a text
 * header of {@code key: value} lines, an empty line, then the age file (zlib-compressed when the
 * header says so).
 */
public final class CctvVectors {

  /** One vector: its name, header fields (a key may repeat) and the age file bytes. */
  public record Vector(String name, Map<String, List<String>> fields, byte[] file) {

    public String expect() {
      return fields.get("expect").get(0);
    }

    public List<String> all(String key) {
      return fields.getOrDefault(key, List.of());
    }

    public String first(String key) {
      List<String> values = all(key);
      return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private CctvVectors() {}

  /**
   * The vectors' folder on the test class path (a directory: tests run from target/test-classes).
   */
  static Path dir() {
    URL readme = CctvVectors.class.getResource("/age-testkit/README.md");
    if (readme == null) {
      throw new IllegalStateException("age-testkit/README.md is not on the test class path");
    }
    try {
      return Path.of(readme.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("failed to locate the age testkit: " + readme, e);
    }
  }

  /** Every vector in the testkit, sorted by name (files without a dot; README.md is not one). */
  public static List<Vector> all() {
    Path dir = dir();
    try (Stream<Path> files = Files.list(dir)) {
      List<Vector> out = new ArrayList<>();
      for (Path p : files.sorted().toList()) {
        if (!p.getFileName().toString().contains(".")) {
          out.add(load(p));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read test vectors in " + dir, e);
    }
  }

  static Vector load(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    int split = indexOf(bytes, new byte[] {'\n', '\n'});
    String head = new String(bytes, 0, split, StandardCharsets.UTF_8);
    Map<String, List<String>> fields = new HashMap<>();
    for (String line : head.split("\n")) {
      int colon = line.indexOf(": ");
      fields
          .computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
          .add(line.substring(colon + 2));
    }
    byte[] file = java.util.Arrays.copyOfRange(bytes, split + 2, bytes.length);
    if (fields.containsKey("compressed")) {
      try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(file))) {
        file = in.readAllBytes();
      }
    }
    return new Vector(path.getFileName().toString(), fields, file);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("vector has no empty line");
  }
}
