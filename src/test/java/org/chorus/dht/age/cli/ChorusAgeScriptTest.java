package org.chorus.dht.age.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/chorus-age} as a process against this build's {@code target/classes}: the
 * launcher finds its JDK and class path, passes stdin, stdout and exit codes through, and keeps JVM
 * log lines out of stdout and stderr. It runs on the JDK that runs the tests.
 */
class ChorusAgeScriptTest {

  private static final Path SCRIPT = Path.of("bin/chorus-age").toAbsolutePath();

  @TempDir Path dir;

  @BeforeAll
  static void requireBuild() {
    assumeTrue(
        Files.isExecutable(SCRIPT)
            && Files.exists(Path.of("target/classpath.txt"))
            && Files.exists(Path.of("target/classes/org/chorus/dht/age/cli/AgeCli.class")),
        "bin/chorus-age needs a Maven build (target/classes and target/classpath.txt)");
  }

  @Test
  void keygenThenRoundTripThroughPipes() throws Exception {
    Path key = dir.resolve("key.txt");
    Run keygen = run(new byte[0], "keygen", "-o", key.toString());
    String recipient = keygen.stderr().strip().substring("Public key: ".length());
    byte[] plaintext = new byte[300_000];
    new Random(7).nextBytes(plaintext);

    Run encrypted = run(plaintext, "-a", "-r", recipient);
    Run decrypted = run(encrypted.stdout(), "-d", "-i", key.toString());

    assertThat(keygen.exit()).isZero();
    assertThat(recipient).startsWith("age1");
    assertThat(encrypted.exit()).isZero();
    assertThat(encrypted.stderr()).isEmpty();
    assertThat(new String(encrypted.stdout(), StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN AGE ENCRYPTED FILE-----\n");
    assertThat(decrypted.exit()).isZero();
    assertThat(decrypted.stderr()).isEmpty();
    assertThat(decrypted.stdout()).isEqualTo(plaintext);
  }

  @Test
  void exitCodesPassThrough() throws Exception {
    Run usage = run(new byte[0], "--no-such-flag");
    Run error = run(new byte[0], "-d", "-i", dir.resolve("missing").toString());

    assertThat(usage.exit()).isEqualTo(AgeCli.EXIT_USAGE);
    assertThat(usage.stderr())
        .startsWith("chorus-age: error: unknown flag: --no-such-flag\nUsage:");
    assertThat(error.exit()).isEqualTo(AgeCli.EXIT_ERROR);
    assertThat(error.stderr()).startsWith("chorus-age: error: failed to read identity file");
  }

  @Test
  void terminatedRunLeavesNoTemporaryFile() throws Exception {
    Path out = dir.resolve("out.age");
    Process process =
        new ProcessBuilder("bash", SCRIPT.toString(), "-r", recipient(), "-o", out.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(new byte[1 << 20]);
      stdin.flush();
      awaitTemporaryFile();

      // SIGTERM through the process handle: Process.destroy() would also close our end of its
      // stdin at once, and the EOF could let the CLI finish and commit before the signal lands
      process.toHandle().destroy(); // the launcher execs java, so this reaches the JVM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } catch (java.io.IOException brokenPipe) {
      // The JVM is gone; what matters is what it left behind.
    } finally {
      process.destroyForcibly();
    }

    assertThat(out).doesNotExist();
    assertThat(temporaryFiles()).isEmpty();
  }

  private String recipient() throws Exception {
    Run keygen = run(new byte[0], "keygen", "-o", dir.resolve("key.txt").toString());
    return keygen.stderr().strip().substring("Public key: ".length());
  }

  private void awaitTemporaryFile() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (temporaryFiles().isEmpty()) {
      assertThat(System.nanoTime()).as("temporary output file created").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private List<Path> temporaryFiles() throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private record Run(int exit, byte[] stdout, String stderr) {}

  /** Runs the script with its stdout and stderr in files, so no pipe can fill up and block. */
  private Run run(byte[] stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    Path stdout = Files.createTempFile(dir, "stdout", ".bin");
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    // The JDK running the tests: 17 exercises the plain launch, 19+ the class-data archive.
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    try (var in = process.getOutputStream()) {
      in.write(stdin);
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("bin/chorus-age timed out: " + command);
    }
    return new Run(process.exitValue(), Files.readAllBytes(stdout), Files.readString(stderr));
  }
}
