package org.chorus.dht.ucxl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UcxlAddressTest {

  @Test
  void parsesSlashForm() {
    UcxlAddress a =
        UcxlAddress.parse("ucxl://alice/backend_developer/chorus/task-1/docs/readme.md");
    assertThat(a.agent()).isEqualTo("alice");
    assertThat(a.role()).isEqualTo("backend_developer");
    assertThat(a.project()).isEqualTo("chorus");
    assertThat(a.task()).isEqualTo("task-1");
    assertThat(a.path()).isEqualTo("docs/readme.md");
    assertThat(a.pathSegments()).containsExactly("docs", "readme.md");
    assertThat(a.canonical())
        .isEqualTo("ucxl://alice/backend_developer/chorus/task-1/docs/readme.md");
    assertThat(a).hasToString(a.canonical());
  }

  @Test
  void colonFormCanonicalisesToSlashForm() {
    UcxlAddress colon =
        UcxlAddress.parse("ucxl://alice:backend_developer@chorus:task-1/docs/readme.md");
    UcxlAddress slash =
        UcxlAddress.parse("ucxl://alice/backend_developer/chorus/task-1/docs/readme.md");
    assertThat(colon).isEqualTo(slash).hasSameHashCodeAs(slash);
    assertThat(colon.canonical()).isEqualTo(slash.canonical());
    assertThat(colon.dhtKey()).isEqualTo(slash.dhtKey());
  }

  @Test
  void dhtKeyIsPaddedBase64UrlOfSha256OfCanonicalForm() {
    // Known answers computed independently (Python hashlib + base64.urlsafe_b64encode).
    assertThat(
            UcxlAddress.parse("ucxl://alice/backend_developer/chorus/task-1/docs/readme.md")
                .dhtKey())
        .isEqualTo("/CHORUS/ucxl/D3svaI4HpmUfGZiHqpiWgVrBRMoVN22nmz0VPD5WIBE=");
    assertThat(UcxlAddress.parse("ucxl://a:b@c:d/e").dhtKey())
        .isEqualTo("/CHORUS/ucxl/TV3chjmRqDeXv9ibix1vQHoFLhxeTDAQVw3L34K37Jk=");
  }

  @Test
  void segmentsAreCaseSensitive() {
    assertThat(UcxlAddress.parse("ucxl://A/b/c/d/e"))
        .isNotEqualTo(UcxlAddress.parse("ucxl://a/b/c/d/e"));
  }

  @Test
  void ofBuildsTheSameAddress() {
    assertThat(UcxlAddress.of("a", "b", "c", "d", "e/f.txt"))
        .isEqualTo(UcxlAddress.parse("ucxl://a/b/c/d/e/f.txt"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ucxl:///b/c/d/e | agent | segment 'agent' is empty",
        "ucxl://a//c/d/e | role | segment 'role' is empty",
        "ucxl://a/b//d/e | project | segment 'project' is empty",
        "ucxl://a/b/c//e | task | segment 'task' is empty",
        "ucxl://a/b/c/d/ | path | segment 'path' is empty",
        "ucxl://a/b/c/d/e/ | path | segment 'path' is empty",
        "ucxl://a/b/c/d/e//f | path | segment 'path' is empty",
        "ucxl://a/b/c/d | path | path must have at least one segment",
        "ucxl://a/b/c | task | segment 'task' is missing",
        "ucxl:// | agent | segment 'agent' is empty",
        "ucxl://a/b/c/d/../etc | path | segment 'path' must not be '..'",
        "ucxl://a/b/c/d/./x | path | segment 'path' must not be '.'",
        "ucxl://../b/c/d/e | agent | segment 'agent' must not be '..'",
        "ucxl://a/b/c/d/e%20f | path | segment 'path' contains invalid character '%'",
        "ucxl://a/b/c/d/e?x=1 | path | segment 'path' contains invalid character '?'",
        "ucxl://a/b/c/d/e#f | path | segment 'path' contains invalid character '#'",
        "ucxl://a b/b/c/d/e | agent | segment 'agent' contains invalid character U+0020",
        "ucxl://a/b/c/d/é | path | segment 'path' contains invalid character U+00E9",
        "UCXL://a/b/c/d/e | scheme | scheme must be lower-case ucxl://",
        "Ucxl://a/b/c/d/e | scheme | scheme must be lower-case ucxl://",
        "http://a/b/c/d/e | scheme | scheme must be ucxl://",
        "ucxl:/a/b/c/d/e | scheme | scheme must be ucxl://",
        "'' | scheme | scheme must be ucxl://",
        "ucxl://a:b@c:d | path | path must have at least one segment",
        "ucxl://a:b@c:d/ | path | path must have at least one segment",
        "ucxl://a:b@c/e | task | expected 'project:task'",
        "ucxl://a@c:d/e | role | expected 'agent:role'",
        "ucxl://a:b@c:d:x/e | task | contains invalid character ':'",
        "ucxl://a:b@@c:d/e | address | colon form must be ucxl://agent:role@project:task/path",
        "ucxl://:b@c:d/e | agent | segment 'agent' is empty",
        "ucxl://a:b@c:/e | task | segment 'task' is empty",
        "ucxl://a:b@c:d/../e | path | segment 'path' must not be '..'",
        "ucxl://a:b/c/d/e | address | colon form must be",
      })
  void rejectsWithFieldAndReason(String input, String field, String reason) {
    assertThatThrownBy(() -> UcxlAddress.parse(input))
        .isInstanceOfSatisfying(
            InvalidUcxlAddressException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.reason()).contains(reason);
              assertThat(e.getMessage()).startsWith("invalid UCXL address: ");
            });
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> UcxlAddress.parse(null))
        .isInstanceOf(InvalidUcxlAddressException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void lengthCapIsInclusive() {
    String prefix = "ucxl://a/b/c/d/";
    String atCap = prefix + "x".repeat(UcxlAddress.MAX_LENGTH - prefix.length());
    assertThat(UcxlAddress.parse(atCap).canonical()).hasSize(UcxlAddress.MAX_LENGTH);
    assertThatThrownBy(() -> UcxlAddress.parse(atCap + "x"))
        .isInstanceOfSatisfying(
            InvalidUcxlAddressException.class,
            e -> assertThat(e.reason()).isEqualTo("address longer than 1024 characters"));
    assertThatThrownBy(() -> UcxlAddress.of("a", "b", "c", "d", "x".repeat(UcxlAddress.MAX_LENGTH)))
        .isInstanceOf(InvalidUcxlAddressException.class)
        .hasMessageContaining("longer than 1024");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234567})
  void roundTripsRandomValidAddresses(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 500; i++) {
      List<String> segments = new ArrayList<>();
      int count = 5 + random.nextInt(6);
      for (int s = 0; s < count; s++) {
        segments.add(randomSegment(random));
      }
      String slash = "ucxl://" + String.join("/", segments);
      UcxlAddress a = UcxlAddress.parse(slash);
      assertThat(a.canonical()).isEqualTo(slash);
      assertThat(UcxlAddress.parse(a.canonical())).isEqualTo(a);
      assertThat(UcxlAddress.parse(a.canonical()).pathSegments()).isEqualTo(a.pathSegments());
      String colon =
          "ucxl://"
              + a.agent()
              + ':'
              + a.role()
              + '@'
              + a.project()
              + ':'
              + a.task()
              + '/'
              + a.path();
      assertThat(UcxlAddress.parse(colon)).isEqualTo(a);
      assertThat(UcxlAddress.of(a.agent(), a.role(), a.project(), a.task(), a.path())).isEqualTo(a);
      assertThat(a.dhtKey()).startsWith("/CHORUS/ucxl/").hasSize(13 + 44);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8, 9, 10})
  void randomGarbageOnlyEverThrowsInvalidUcxlAddressException(long seed) {
    Random random = new Random(seed);
    String alphabet = "ucxlUCXL:/@.-_aZ09 %?#\u00e9\u0000\uffff";
    String[] prefixes = {"", "ucxl://", "ucxl://a/b/c/d/", "ucxl://a:b@c:d/", "UCXL://"};
    for (int i = 0; i < 3000; i++) {
      StringBuilder sb = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
      int len = random.nextInt(40);
      for (int j = 0; j < len; j++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String input = sb.toString();
      try {
        UcxlAddress a = UcxlAddress.parse(input);
        assertThat(UcxlAddress.parse(a.canonical())).isEqualTo(a);
      } catch (InvalidUcxlAddressException expected) {
        assertThat(expected.field())
            .isIn("address", "scheme", "agent", "role", "project", "task", "path");
      }
    }
  }

  private static String randomSegment(Random random) {
    String chars = "abcXYZ019._-";
    while (true) {
      int len = 1 + random.nextInt(8);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append(chars.charAt(random.nextInt(chars.length())));
      }
      String s = sb.toString();
      if (!s.equals(".") && !s.equals("..")) {
        return s;
      }
    }
  }
}
