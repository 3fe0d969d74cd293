package org.chorus.dht.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens → principals. Only SHA-256 hashes of tokens are kept, so neither the configuration nor
 * a heap dump reveals a usable token. Immutable, thread-safe.
 */
public final class TokenRegistry {

  private static final Logger log = LoggerFactory.getLogger(TokenRegistry.class);

  /** File in the data directory that holds the first-start token. */
  public static final String INITIAL_TOKEN_FILE = "initial-token";

  /** Principal name of the first-start token. */
  public static final String INITIAL_PRINCIPAL = "admin";

  private final Map<String, ChorusPrincipal> byHash;

  public TokenRegistry(Map<String, ChorusPrincipal> byHash) {
    Map<String, ChorusPrincipal> normalized = new LinkedHashMap<>();
    byHash.forEach(
        (hash, principal) -> {
          String h = hash.toLowerCase(Locale.ROOT).trim();
          if (!h.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                "token of principal '" + principal.name() + "': sha256 must be 64 hex digits");
          }
          normalized.put(h, principal);
        });
    this.byHash = Map.copyOf(normalized);
  }

  /**
   * The tokens of {@code chorus.security.tokens}, or, when there are none, the first-start token
   * from {@code <dataDir>/initial-token}, generated (mode 600) if the file does not exist yet.
   */
  public static TokenRegistry fromProperties(ChorusProperties properties) throws IOException {
    Map<String, ChorusPrincipal> byHash = new LinkedHashMap<>();
    for (ChorusProperties.Token token : properties.security().tokens()) {
      if (token.principal() == null || token.role() == null || token.sha256() == null) {
        throw new IllegalArgumentException(
            "chorus.security.tokens entries need principal, role and sha256");
      }
      byHash.put(
          token.sha256(), new ChorusPrincipal(token.principal(), token.role(), token.admin()));
    }
    if (byHash.isEmpty()) {
      Path file = properties.dataDir().resolve(INITIAL_TOKEN_FILE).toAbsolutePath();
      String token;
      if (Files.exists(file)) {
        token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        log.info("No API tokens configured; using the initial token in {}", file);
      } else {
        token = newToken();
        SecureFiles.writePrivate(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
        log.info(
            "No API tokens configured; generated an initial token for principal '{}' (role {},"
                + " admin) in {} (mode 600)",
            INITIAL_PRINCIPAL,
            properties.security().initialRole(),
            file);
      }
      byHash.put(
          sha256Hex(token),
          new ChorusPrincipal(INITIAL_PRINCIPAL, properties.security().initialRole(), true));
    }
    return new TokenRegistry(byHash);
  }

  /** A fresh random token: {@code chorus_} + 32 random bytes in base64url. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return "chorus_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The principal of {@code token}, if it is a known token. */
  public Optional<ChorusPrincipal> authenticate(String token) {
    return Optional.ofNullable(byHash.get(sha256Hex(token)));
  }

  /** Every principal that has a token. */
  public Collection<ChorusPrincipal> principals() {
    return byHash.values();
  }

  /** Lower-case hex SHA-256 of the UTF-8 token, the form tokens are configured in. */
  public static String sha256Hex(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
