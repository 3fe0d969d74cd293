package org.chorus.dht.kad.wire;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * {@code Record.timeReceived}: RFC 3339 UTC with nine fraction digits at millisecond precision, as
 * js and go write it ({@code 2026-11-24T05:48:03.076000000Z}).
 */
public final class RecordTime {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private RecordTime() {}

  public static String format(Instant t) {
    return FORMAT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Any RFC 3339 instant; empty if absent or not parsable. */
  public static Optional<Instant> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
