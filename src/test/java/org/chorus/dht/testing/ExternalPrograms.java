package org.chorus.dht.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Optional programs outside the build that some tests run, such as the Go {@code age} CLI (Debian
 * package {@code age}, which {@code .ci/run} installs): where one is missing, the test is skipped,
 * and the reason is printed on stdout as well as recorded by JUnit, so that a run shows what it did
 * not check.
 */
public final class ExternalPrograms {

  private ExternalPrograms() {}

  /** True if {@code program} is an executable file in a {@code PATH} directory. */
  public static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null
        && Stream.of(path.split(":"))
            .filter(d -> !d.isEmpty())
            .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /**
   * Why tests that need {@code programs} cannot run here, printed on stdout, or null if every
   * program is on PATH. For a class that skips each test ({@code @BeforeEach}, so that the report
   * counts them) but says so once.
   *
   * @param what the tests, for the message, e.g. "AgeCliInteropTest (age CLI interop)"
   * @param install how to get the programs, e.g. "apt-get install age"
   */
  public static String missing(String what, String install, String... programs) {
    List<String> missing = Stream.of(programs).filter(p -> !onPath(p)).toList();
    if (missing.isEmpty()) {
      return null;
    }
    String reason = what + ": " + String.join(", ", missing) + " not on PATH (" + install + ")";
    System.out.println("SKIPPED: " + reason);
    return reason;
  }

  /** Skips the calling test unless every program is on PATH, printing the reason. */
  public static void assumeOnPath(String what, String install, String... programs) {
    String reason = missing(what, install, programs);
    assumeTrue(reason == null, reason);
  }

  /** Skips the calling test unless {@code condition} holds, printing the reason. */
  public static void assume(boolean condition, String reason) {
    if (!condition) {
      System.out.println("SKIPPED: " + reason);
    }
    assumeTrue(condition, reason);
  }
}
