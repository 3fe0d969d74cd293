package org.chorus.dht.kad.wire;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A libp2p {@code Record{key, value, timeReceived}} (record/pb/record.proto). {@code timeReceived}
 * is RFC 3339 text as the receiving node wrote it, or empty. Immutable: the arrays are copied in
 * and out.
 */
public final class KadRecord {
  private final byte[] key;
  private final byte[] value;
  private final String timeReceived;

  public KadRecord(byte[] key, byte[] value, String timeReceived) {
    this.key = key.clone();
    this.value = value.clone();
    this.timeReceived = Objects.requireNonNull(timeReceived, "timeReceived");
  }

  public KadRecord(byte[] key, byte[] value) {
    this(key, value, "");
  }

  public byte[] key() {
    return key.clone();
  }

  public byte[] value() {
    return value.clone();
  }

  public String timeReceived() {
    return timeReceived;
  }

  public KadRecord withTimeReceived(String time) {
    return new KadRecord(key, value, time);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadRecord r
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && timeReceived.equals(r.timeReceived);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + timeReceived.hashCode();
  }

  @Override
  public String toString() {
    return "KadRecord[key="
        + HexFormat.of().formatHex(key)
        + ", value="
        + value.length
        + " bytes, timeReceived="
        + timeReceived
        + "]";
  }
}
