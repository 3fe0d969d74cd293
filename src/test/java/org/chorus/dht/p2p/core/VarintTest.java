package org.chorus.dht.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarintTest {
  @ParameterizedTest
  @CsvSource({"0, 00", "1, 01", "127, 7f", "128, 8001", "255, ff01", "300, ac02", "16384, 808001"})
  void unsignedVarintSpecExamples(long value, String hex) {
    assertThat(HexFormat.of().formatHex(Varint.encode(value))).isEqualTo(hex);
    assertThat(Varint.read(ByteBuffer.wrap(HexFormat.of().parseHex(hex)))).isEqualTo(value);
  }

  @org.junit.jupiter.api.Test
  void truncatedAndOverlong() {
    ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) 0x80});
    assertThat(Varint.read(b)).isEqualTo(-1);
    assertThat(b.position()).isZero();
    byte[] tooLong = new byte[Varint.MAX_BYTES + 1];
    java.util.Arrays.fill(tooLong, (byte) 0x80);
    assertThatThrownBy(() -> Varint.read(ByteBuffer.wrap(tooLong)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
