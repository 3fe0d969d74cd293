package org.chorus.dht.p2p.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A libp2p protocol id such as {@code /ipfs/ping/1.0.0}: non-empty UTF-8 without newline, short
 * enough to fit a multistream-select line (connections/README.md#protocol-negotiation). Immutable.
 */
public record ProtocolId(String value) {
  /** Longest protocol id we accept; a multistream line (id + '\n') must fit in 1 KiB. */
  public static final int MAX_LENGTH = 1023;

  public ProtocolId {
    Objects.requireNonNull(value, "value");
    int len = value.getBytes(StandardCharsets.UTF_8).length;
    if (len == 0 || len > MAX_LENGTH || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("invalid protocol id: " + value);
    }
  }

  public static ProtocolId of(String value) {
    return new ProtocolId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
