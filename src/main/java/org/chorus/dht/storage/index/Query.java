package org.chorus.dht.storage.index;

import java.time.Instant;

/**
 * A metadata search: every given criterion must match; {@code null} means "any". The time range is
 * half-open: {@code createdAfter <= createdAt < createdBefore}. Results come newest first, ties by
 * address ascending. Build with {@link #builder()}; the constructor validates.
 *
 * @param limit 1 to {@link #MAX_LIMIT}; {@link #DEFAULT_LIMIT} from the builder
 */
public record Query(
    String agent,
    String role,
    String project,
    String task,
    String contentType,
    Instant createdAfter,
    Instant createdBefore,
    int limit) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  public Query {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    if (createdAfter != null && createdBefore != null && !createdAfter.isBefore(createdBefore)) {
      throw new IllegalArgumentException("createdAfter must be before createdBefore");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link Query}; not thread-safe. */
  public static final class Builder {
    private String agent;
    private String role;
    private String project;
    private String task;
    private String contentType;
    private Instant createdAfter;
    private Instant createdBefore;
    private int limit = DEFAULT_LIMIT;

    private Builder() {}

    public Builder agent(String value) {
      agent = value;
      return this;
    }

    public Builder role(String value) {
      role = value;
      return this;
    }

    public Builder project(String value) {
      project = value;
      return this;
    }

    public Builder task(String value) {
      task = value;
      return this;
    }

    public Builder contentType(String value) {
      contentType = value;
      return this;
    }

    /** Inclusive lower bound of {@code createdAt}. */
    public Builder createdAfter(Instant value) {
      createdAfter = value;
      return this;
    }

    /** Exclusive upper bound of {@code createdAt}. */
    public Builder createdBefore(Instant value) {
      createdBefore = value;
      return this;
    }

    public Builder limit(int value) {
      limit = value;
      return this;
    }

    public Query build() {
      return new Query(agent, role, project, task, contentType, createdAfter, createdBefore, limit);
    }
  }
}
