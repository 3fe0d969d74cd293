package org.chorus.dht.storage;

import java.time.Instant;

/**
 * A metadata search; null fields do not filter. {@code limit} null means the configured default.
 */
public record ContentQuery(
    String agent,
    String role,
    String project,
    String task,
    String contentType,
    Instant createdAfter,
    Instant createdBefore,
    Integer limit) {}
