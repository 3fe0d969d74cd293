package org.chorus.dht.ucxl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A validated UCXL address, {@code ucxl://<agent>/<role>/<project>/<task>/<path...>}.
 *
 * <p>Two spellings are accepted and both canonicalise to the slash form:
 *
 * <ul>
 *   <li>{@code ucxl://agent/role/project/task/path/...}
 *   <li>{@code ucxl://agent:role@project:task/path/...}
 * </ul>
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>The scheme must be exactly {@code ucxl://} in lower case. Upper- or mixed-case schemes are
 *       rejected rather than folded, so that one address has exactly one spelling of its scheme and
 *       the DHT key (a hash of the canonical string) cannot silently differ between clients.
 *   <li>Segments match {@code [A-Za-z0-9._-]+} and are case-sensitive; none may be empty, {@code .}
 *       or {@code ..}. The path has at least one segment. No query, fragment, percent-encoding or
 *       trailing slash.
 *   <li>The whole input is at most {@value #MAX_LENGTH} characters (both spellings have the same
 *       length, so the canonical form obeys the same cap).
 * </ul>
 *
 * <p>Equality is by canonical form. Instances are immutable and thread-safe.
 */
public final class UcxlAddress implements Comparable<UcxlAddress> {

  /** The scheme, with its {@code //}. */
  public static final String SCHEME = "ucxl://";

  /** Longest accepted address, in characters. */
  public static final int MAX_LENGTH = 1024;

  /** Prefix of the DHT key of every address (DESIGN.md, namespaces). */
  public static final String DHT_KEY_PREFIX = "/CHORUS/ucxl/";

  private static final String[] HEAD_FIELDS = {"agent", "role", "project", "task"};

  private final String agent;
  private final String role;
  private final String project;
  private final String task;
  private final List<String> pathSegments;
  private final String canonical;

  private UcxlAddress(
      String agent, String role, String project, String task, List<String> pathSegments) {
    this.agent = agent;
    this.role = role;
    this.project = project;
    this.task = task;
    this.pathSegments = List.copyOf(pathSegments);
    this.canonical =
        SCHEME
            + agent
            + '/'
            + role
            + '/'
            + project
            + '/'
            + task
            + '/'
            + String.join("/", pathSegments);
  }

  /**
   * Parses either spelling of an address.
   *
   * @throws InvalidUcxlAddressException if {@code address} is null or not a valid address; never
   *     any other exception
   */
  public static UcxlAddress parse(String address) {
    if (address == null) {
      throw new InvalidUcxlAddressException("address", "address is missing");
    }
    if (address.length() > MAX_LENGTH) {
      throw new InvalidUcxlAddressException(
          "address", "address longer than " + MAX_LENGTH + " characters");
    }
    if (!address.startsWith(SCHEME)) {
      if (address.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
        throw new InvalidUcxlAddressException("scheme", "scheme must be lower-case ucxl://");
      }
      throw new InvalidUcxlAddressException("scheme", "scheme must be ucxl://");
    }
    String rest = address.substring(SCHEME.length());
    int firstSlash = rest.indexOf('/');
    String authority = firstSlash < 0 ? rest : rest.substring(0, firstSlash);
    if (authority.indexOf('@') >= 0 || authority.indexOf(':') >= 0) {
      return parseColonForm(authority, firstSlash < 0 ? null : rest.substring(firstSlash + 1));
    }
    return parseSlashForm(rest);
  }

  /**
   * Builds an address from its parts.
   *
   * @param path one or more segments joined by {@code /}
   * @throws InvalidUcxlAddressException if any part is invalid
   */
  public static UcxlAddress of(
      String agent, String role, String project, String task, String path) {
    String[] head = {agent, role, project, task};
    for (int i = 0; i < head.length; i++) {
      if (head[i] == null) {
        throw new InvalidUcxlAddressException(
            HEAD_FIELDS[i], "segment '" + HEAD_FIELDS[i] + "' is empty");
      }
      checkSegment(HEAD_FIELDS[i], head[i]);
    }
    List<String> segments = splitPath(path);
    UcxlAddress result = new UcxlAddress(agent, role, project, task, segments);
    if (result.canonical.length() > MAX_LENGTH) {
      throw new InvalidUcxlAddressException(
          "address", "address longer than " + MAX_LENGTH + " characters");
    }
    return result;
  }

  /** True when {@code address} parses. */
  public static boolean isValid(String address) {
    try {
      parse(address);
      return true;
    } catch (InvalidUcxlAddressException e) {
      return false;
    }
  }

  private static UcxlAddress parseSlashForm(String rest) {
    List<String> parts = split(rest);
    for (int i = 0; i < HEAD_FIELDS.length; i++) {
      if (i >= parts.size()) {
        throw new InvalidUcxlAddressException(
            HEAD_FIELDS[i], "segment '" + HEAD_FIELDS[i] + "' is missing");
      }
      checkSegment(HEAD_FIELDS[i], parts.get(i));
    }
    if (parts.size() == HEAD_FIELDS.length) {
      throw new InvalidUcxlAddressException("path", "path must have at least one segment");
    }
    List<String> path = parts.subList(HEAD_FIELDS.length, parts.size());
    for (String segment : path) {
      checkSegment("path", segment);
    }
    return new UcxlAddress(parts.get(0), parts.get(1), parts.get(2), parts.get(3), path);
  }

  private static UcxlAddress parseColonForm(String authority, String pathPart) {
    int at = authority.indexOf('@');
    if (at < 0 || authority.indexOf('@', at + 1) >= 0) {
      throw new InvalidUcxlAddressException(
          "address", "colon form must be ucxl://agent:role@project:task/path");
    }
    String[] left = splitPair(authority.substring(0, at), "agent", "role");
    String[] right = splitPair(authority.substring(at + 1), "project", "task");
    checkSegment("agent", left[0]);
    checkSegment("role", left[1]);
    checkSegment("project", right[0]);
    checkSegment("task", right[1]);
    if (pathPart == null) {
      throw new InvalidUcxlAddressException("path", "path must have at least one segment");
    }
    return new UcxlAddress(left[0], left[1], right[0], right[1], splitPath(pathPart));
  }

  private static String[] splitPair(String pair, String first, String second) {
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw new InvalidUcxlAddressException(
          second, "expected '" + first + ":" + second + "' in the colon form");
    }
    if (pair.indexOf(':', colon + 1) >= 0) {
      throw new InvalidUcxlAddressException(
          second, "segment '" + second + "' contains invalid character ':'");
    }
    return new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
  }

  private static List<String> splitPath(String path) {
    if (path == null || path.isEmpty()) {
      throw new InvalidUcxlAddressException("path", "path must have at least one segment");
    }
    List<String> segments = split(path);
    for (String segment : segments) {
      checkSegment("path", segment);
    }
    return segments;
  }

  /** Splits on '/', keeping empty segments (so "a//b" and "a/" are caught). */
  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (true) {
      int slash = s.indexOf('/', start);
      if (slash < 0) {
        out.add(s.substring(start));
        return out;
      }
      out.add(s.substring(start, slash));
      start = slash + 1;
    }
  }

  private static void checkSegment(String field, String segment) {
    if (segment.isEmpty()) {
      throw new InvalidUcxlAddressException(field, "segment '" + field + "' is empty");
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new InvalidUcxlAddressException(
          field, "segment '" + field + "' must not be '" + segment + "'");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!isSegmentChar(c)) {
        throw new InvalidUcxlAddressException(
            field,
            "segment '"
                + field
                + "' contains invalid character "
                + describe(c)
                + " (allowed: A-Z a-z 0-9 . _ -)");
      }
    }
  }

  private static boolean isSegmentChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static String describe(char c) {
    String code = String.format("U+%04X", (int) c);
    return c >= 0x21 && c < 0x7f ? "'" + c + "' (" + code + ")" : code;
  }

  public String agent() {
    return agent;
  }

  public String role() {
    return role;
  }

  public String project() {
    return project;
  }

  public String task() {
    return task;
  }

  /** The path, its segments joined by {@code /} (no leading slash), e.g. {@code docs/a.md}. */
  public String path() {
    return String.join("/", pathSegments);
  }

  /** The path segments, at least one. */
  public List<String> pathSegments() {
    return pathSegments;
  }

  /** The canonical slash form, {@code ucxl://agent/role/project/task/path}. */
  public String canonical() {
    return canonical;
  }

  /**
   * The DHT key: {@code /CHORUS/ucxl/} + padded base64url (RFC 4648 §5, like Go's {@code
   * base64.URLEncoding}) of SHA-256 of the canonical address's UTF-8 bytes.
   */
  public String dhtKey() {
    return DHT_KEY_PREFIX + Base64.getUrlEncoder().encodeToString(sha256(canonical));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public int compareTo(UcxlAddress other) {
    return canonical.compareTo(other.canonical);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UcxlAddress other && canonical.equals(other.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  /** The canonical form. */
  @Override
  public String toString() {
    return canonical;
  }
}
