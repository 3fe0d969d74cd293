package org.chorus.dht.kad.records;

import java.util.List;

/**
 * Validates and orders the values of one key namespace (go-libp2p-record {@code Validator}).
 * Implementations must be stateless or thread-safe.
 */
public interface RecordValidator {
  /** Accepts the value for {@code key} or throws {@link InvalidRecordException} saying why. */
  void validate(byte[] key, byte[] value);

  /**
   * Index of the best of {@code values} (all for {@code key}, non-empty; earlier wins ties). Throws
   * {@link InvalidRecordException} if none is acceptable.
   */
  int select(byte[] key, List<byte[]> values);

  /**
   * Whether {@code incoming} (valid) may replace {@code held} under {@code key}; throws {@link
   * InvalidRecordException} saying why not ({@link InvalidRecordException.Reason#ROLLBACK} for an
   * older record, {@link InvalidRecordException.Reason#CONFLICT} for other content at the same
   * version). The default: {@code incoming} must be at least as good as {@code held} by {@link
   * #select} (ties go to the incoming one).
   */
  default void checkReplaces(byte[] key, byte[] incoming, byte[] held) {
    if (select(key, List.of(incoming, held)) != 0) {
      throw new InvalidRecordException(
          InvalidRecordException.Reason.ROLLBACK, "the held record is better");
    }
  }

  /**
   * Accepts any value and prefers the first: a placeholder for namespaces whose real validator
   * lives elsewhere (the ucxl envelope validator of the storage layer plugs in later).
   */
  RecordValidator PERMISSIVE =
      new RecordValidator() {
        @Override
        public void validate(byte[] key, byte[] value) {}

        @Override
        public int select(byte[] key, List<byte[]> values) {
          if (values.isEmpty()) {
            throw new InvalidRecordException("failed to select: no values");
          }
          return 0;
        }

        @Override
        public String toString() {
          return "RecordValidator.PERMISSIVE";
        }
      };
}
