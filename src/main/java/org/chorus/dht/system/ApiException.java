package org.chorus.dht.system;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An expected failure of an API call, rendered as an RFC 9457 problem: HTTP status, a short problem
 * type slug (becomes {@code type} {@code urn:chorus:problem:<slug>}), a title, a detail for humans
 * and extra members such as {@code field}. Services throw it without knowing HTTP machinery; {@link
 * ProblemDetailsAdvice} renders it.
 */
public class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String title;
  private final Map<String, Object> properties = new LinkedHashMap<>();

  public ApiException(int status, String type, String title, String detail) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
  }

  /** Adds a problem member, e.g. {@code field}. Returns this. */
  public ApiException with(String name, Object value) {
    properties.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return getMessage();
  }

  public Map<String, Object> properties() {
    return Map.copyOf(properties);
  }

  public static ApiException badRequest(String field, String detail) {
    return new ApiException(400, "invalid-request", "Invalid request", detail).with("field", field);
  }

  public static ApiException notFound(String type, String detail) {
    return new ApiException(404, type, "Not found", detail);
  }

  public static ApiException forbidden(String type, String detail) {
    return new ApiException(403, type, "Forbidden", detail);
  }

  public static ApiException tooLarge(String field, long size, long limit) {
    return new ApiException(
            413,
            "payload-too-large",
            "Payload too large",
            "'" + field + "' is " + size + " bytes; the limit is " + limit + " bytes")
        .with("field", field)
        .with("limit", limit);
  }
}
