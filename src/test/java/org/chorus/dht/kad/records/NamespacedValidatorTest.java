package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespacedValidatorTest {
  static byte[] k(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void chorusKeysAreAccepted_othersRefusedLikeJs() {
    NamespacedValidator v = NamespacedValidator.permissiveChorus();
    v.validate(k("/CHORUS/ucxl/abc"), new byte[] {1});
    v.validate(k("/CHORUS/x"), new byte[0]);
    assertThatThrownBy(() -> v.validate(k("/other/x"), new byte[0]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("\"other\"");
    // namespaces are case-sensitive, and need /ns/rest
    for (String bad : List.of("/chorus/x", "/CHORUS", "CHORUS/x/y", "", "//x", "/ipns/x")) {
      assertThatThrownBy(() -> v.validate(k(bad), new byte[0]))
          .as(bad)
          .isInstanceOf(InvalidRecordException.class);
    }
  }

  @Test
  void dispatchesOnTheSecondPathElement() {
    RecordValidator longest =
        new RecordValidator() {
          @Override
          public void validate(byte[] key, byte[] value) {
            if (value.length == 0) {
              throw new InvalidRecordException("empty");
            }
          }

          @Override
          public int select(byte[] key, List<byte[]> values) {
            int best = 0;
            for (int i = 1; i < values.size(); i++) {
              if (values.get(i).length > values.get(best).length) {
                best = i;
              }
            }
            return best;
          }
        };
    NamespacedValidator v =
        new NamespacedValidator(Map.of("CHORUS", RecordValidator.PERMISSIVE, "long", longest));
    assertThat(v.select(k("/long/a"), List.of(new byte[1], new byte[3], new byte[2]))).isEqualTo(1);
    assertThat(v.select(k("/CHORUS/a"), List.of(new byte[1], new byte[3]))).isZero();
    assertThatThrownBy(() -> v.validate(k("/long/a"), new byte[0]))
        .isInstanceOf(InvalidRecordException.class);
    assertThat(NamespacedValidator.namespace(k("/CHORUS/ucxl/x"))).contains("CHORUS");
  }
}
