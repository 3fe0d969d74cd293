package org.chorus.dht.replication;

/**
 * How well a key is replicated, from its live replica count {@code actual} (copies of the current
 * value that peers really returned, this node's included) and its {@code target}:
 *
 * <ul>
 *   <li>{@link #HEALTHY}: {@code actual >= target};
 *   <li>{@link #DEGRADED}: {@code 1 < actual < target} (repair pending);
 *   <li>{@link #CRITICAL}: {@code actual <= 1} and below target: one more loss and the value is
 *       gone (or it already is, at 0);
 *   <li>{@link #UNKNOWN}: never counted yet.
 * </ul>
 *
 * A target of 1 (the single-node backend) is healthy with its one copy.
 */
public enum ReplicationHealth {
  HEALTHY,
  DEGRADED,
  CRITICAL,
  UNKNOWN;

  /** The health of {@code actual} live copies against {@code target}; negative actual = unknown. */
  public static ReplicationHealth of(int actual, int target) {
    if (actual < 0) {
      return UNKNOWN;
    }
    if (actual >= target) {
      return HEALTHY;
    }
    return actual <= 1 ? CRITICAL : DEGRADED;
  }

  /** Lower-case name for JSON and metrics tags. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
