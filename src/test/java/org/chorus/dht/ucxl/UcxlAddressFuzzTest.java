package org.chorus.dht.ucxl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz target: runs its seed inputs in regression mode (seconds, every build); run {@code
 * JAZZER_FUZZ=1 ./mvnw test -Dtest=UcxlAddressFuzzTest} to fuzz for real. Tagged {@code fuzz}:
 * loading the Jazzer agent costs several seconds, so {@code -Dsurefire.excludedGroups=fuzz} skips
 * it.
 */
@org.junit.jupiter.api.Tag("fuzz")
class UcxlAddressFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parseThrowsOnlyInvalidUcxlAddressExceptionAndRoundTrips(FuzzedDataProvider data) {
    String input = data.consumeRemainingAsString();
    UcxlAddress a;
    try {
      a = UcxlAddress.parse(input);
    } catch (InvalidUcxlAddressException expected) {
      return;
    }
    assertThat(UcxlAddress.parse(a.canonical())).isEqualTo(a);
    assertThat(a.canonical()).hasSizeLessThanOrEqualTo(UcxlAddress.MAX_LENGTH);
  }
}
