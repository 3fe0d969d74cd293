package org.chorus.dht.roles;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads roles.yaml: a {@code roles} map from role name to {@code description}, {@code authority},
 * {@code canDecrypt} and optional {@code recipient} (age) and {@code signer} (Ed25519) public keys.
 * Stateless.
 */
public final class RolesFile {

  /** Where the copy of {@code config/roles.yaml} built into the jar lives on the class path. */
  public static final String BUILT_IN = "chorus/roles.yaml";

  private RolesFile() {}

  /** Reads the file, or the built-in roles when {@code file} does not exist. */
  public static List<RoleDefinition> readOrBuiltIn(Path file) throws IOException {
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        return parse(reader, file.toString());
      }
    }
    try (InputStream in = RolesFile.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IOException("failed to read roles: " + file + " does not exist");
      }
      return parse(
          new java.io.InputStreamReader(in, StandardCharsets.UTF_8), "classpath:" + BUILT_IN);
    }
  }

  /** Parses roles.yaml text; {@code source} names it in errors. */
  public static List<RoleDefinition> parse(Reader reader, String source) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("failed to parse " + source + ": " + e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("roles") instanceof Map<?, ?> roles)) {
      throw new IllegalArgumentException("failed to parse " + source + ": no 'roles' map");
    }
    List<RoleDefinition> out = new ArrayList<>();
    for (Map.Entry<?, ?> entry : roles.entrySet()) {
      String name = String.valueOf(entry.getKey());
      Map<?, ?> body = entry.getValue() instanceof Map<?, ?> m ? m : Map.of();
      try {
        out.add(
            new RoleDefinition(
                name,
                stringOrNull(body.get("description")),
                AuthorityLevel.parse(
                    String.valueOf(body.get("authority") == null ? "" : body.get("authority"))),
                stringList(body.get("canDecrypt")),
                Optional.ofNullable(stringOrNull(body.get("recipient"))).filter(s -> !s.isBlank()),
                Optional.ofNullable(stringOrNull(body.get("signer"))).filter(s -> !s.isBlank())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "failed to parse " + source + ": role '" + name + "': " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static String stringOrNull(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private static List<String> stringList(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("canDecrypt must be a list");
    }
    return list.stream().map(String::valueOf).toList();
  }
}
