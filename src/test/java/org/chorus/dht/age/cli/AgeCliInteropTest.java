package org.chorus.dht.age.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.age.cli.CliHarness.Result;
import org.chorus.dht.testing.ExternalPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interop with the real {@code age} and {@code age-keygen} binaries (Debian's age 1.1.1; {@code
 * .ci/run} installs it; where they are not on PATH the class is skipped and says so): what we
 * encrypt, age decrypts, and the other way round, binary and armored, to one and three recipients,
 * for sizes around the 64 KiB STREAM chunk boundary. {@code AgeTypageInteropTest} covers the same
 * ground against typage, which needs only Node.js.
 *
 * <p>age reads passphrases only from a terminal, so the scrypt tests give it one with util-linux
 * {@code script} and type the passphrase into it.
 */
class AgeCliInteropTest {

  private static final int MIB = 1 << 20;
  private static final String PASSPHRASE = "interop passphrase";

  @TempDir static Path keys;

  /** age-keygen identity files and their recipients. */
  private static final List<Path> identities = new ArrayList<>();

  private static final List<String> recipients = new ArrayList<>();

  /** Why the age CLI tests cannot run here (printed once), or null. */
  private static String missingCli;

  @TempDir Path dir;

  @BeforeAll
  static void makeKeysWithAgeKeygen() throws Exception {
    missingCli =
        ExternalPrograms.missing(
            "AgeCliInteropTest (age CLI interop)", "apt-get install age", "age", "age-keygen");
    if (missingCli != null) {
      return;
    }
    for (int i = 0; i < 3; i++) {
      Path key = keys.resolve("age-key-" + i + ".txt");
      exec(List.of("age-keygen", "-o", key.toString()));
      identities.add(key);
      recipients.add(text(exec(List.of("age-keygen", "-y", key.toString()))).strip());
    }
  }

  /** Each test is skipped, and counted as skipped, where the age CLI is missing. */
  @BeforeEach
  void requireAgeCli() {
    assumeTrue(missingCli == null, missingCli);
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int size : new int[] {0, 1, 65536, 65537, 10 * MIB}) {
      for (boolean armor : new boolean[] {false, true}) {
        for (int n : new int[] {1, 3}) {
          cases.add(Arguments.of(size, armor, n));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "size={0} armor={1} recipients={2}")
  @MethodSource("matrix")
  void ageDecryptsWhatWeEncrypt(int size, boolean armor, int n) throws Exception {
    byte[] plaintext = random(size);
    Path plain = Files.write(dir.resolve("plain"), plaintext);
    Path ct = dir.resolve("ours.age");
    List<String> args = new ArrayList<>();
    recipients.subList(0, n).forEach(r -> args.addAll(List.of("-r", r)));
    if (armor) {
      args.add("-a");
    }
    args.addAll(List.of("-o", ct.toString(), plain.toString()));

    ok(CliHarness.run(args.toArray(String[]::new)));

    assertArmor(ct, armor);
    // To stdout: age -o creates no file for an empty plaintext.
    for (Path identity : identities.subList(0, n)) {
      byte[] decrypted = exec(List.of("age", "-d", "-i", identity.toString(), ct.toString()));
      assertThat(decrypted).as("age -d -i %s", identity).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest(name = "size={0} armor={1} recipients={2}")
  @MethodSource("matrix")
  void weDecryptWhatAgeEncrypts(int size, boolean armor, int n) throws Exception {
    byte[] plaintext = random(size);
    Path plain = Files.write(dir.resolve("plain"), plaintext);
    Path ct = dir.resolve("theirs.age");
    List<String> command = new ArrayList<>(List.of("age", "-e"));
    recipients.subList(0, n).forEach(r -> command.addAll(List.of("-r", r)));
    if (armor) {
      command.add("-a");
    }
    command.addAll(List.of("-o", ct.toString(), plain.toString()));

    exec(command);

    assertArmor(ct, armor);
    for (Path identity : identities.subList(0, n)) {
      Path out = dir.resolve("decrypted-by-us");
      ok(CliHarness.run("-d", "-i", identity.toString(), "-o", out.toString(), ct.toString()));
      assertThat(Files.readAllBytes(out)).as("chorus-age -d -i %s", identity).isEqualTo(plaintext);
      Files.delete(out);
    }
  }

  @Test
  void ageKeygenFilesParseAsIdentities() throws Exception {
    for (int i = 0; i < identities.size(); i++) {
      List<Identity> parsed = IdentityFile.read(identities.get(i));

      assertThat(parsed).singleElement().isInstanceOf(X25519Identity.class);
      assertThat(((X25519Identity) parsed.get(0)).recipient().encode())
          .isEqualTo(recipients.get(i));
      assertThat(ok(CliHarness.run("keygen", "-y", identities.get(i).toString())).stdoutText())
          .isEqualTo(recipients.get(i) + "\n");
    }
  }

  @Test
  void ageUsesOurKeygenOutput() throws Exception {
    Path key = dir.resolve("our-key.txt");
    String printed = ok(CliHarness.run("keygen", "-o", key.toString())).stderr();
    String recipient = text(exec(List.of("age-keygen", "-y", key.toString()))).strip();
    byte[] plaintext = random(100_000);
    Path plain = Files.write(dir.resolve("plain"), plaintext);
    Path ct = dir.resolve("theirs.age");
    Path out = dir.resolve("out");

    exec(List.of("age", "-r", recipient, "-o", ct.toString(), plain.toString()));
    exec(List.of("age", "-d", "-i", key.toString(), "-o", out.toString(), ct.toString()));

    assertThat(printed).isEqualTo("Public key: " + recipient + "\n");
    assertThat(Files.readAllBytes(out)).isEqualTo(plaintext);
  }

  @Test
  void ageDecryptsOurPassphraseEncryption() throws Exception {
    ExternalPrograms.assume(
        scriptWorks(), "AgeCliInteropTest: util-linux script cannot give age a terminal here");
    byte[] plaintext = random(70_000);
    Path plain = Files.write(dir.resolve("plain"), plaintext);
    Path ct = dir.resolve("ours.age");
    Path out = dir.resolve("out");
    ok(
        CliHarness.run(
            new byte[0],
            Map.of(AgeCli.PASSPHRASE_ENV, PASSPHRASE),
            "-p",
            "-o",
            ct.toString(),
            plain.toString()));

    int exit = inTerminal("age -d -o " + quote(out) + " " + quote(ct), PASSPHRASE + "\n");

    assertThat(exit).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(plaintext);
    Files.delete(out);
    assertThat(inTerminal("age -d -o " + quote(out) + " " + quote(ct), "not it\n")).isNotZero();
    assertThat(out).doesNotExist();
  }

  @Test
  void weDecryptAgesPassphraseEncryption() throws Exception {
    ExternalPrograms.assume(
        scriptWorks(), "AgeCliInteropTest: util-linux script cannot give age a terminal here");
    byte[] plaintext = random(70_000);
    Path plain = Files.write(dir.resolve("plain"), plaintext);
    Path ct = dir.resolve("theirs.age");
    String typed = PASSPHRASE + "\n" + PASSPHRASE + "\n";

    int exit = inTerminal("age -p -a -o " + quote(ct) + " " + quote(plain), typed);

    assertThat(exit).isZero();
    assertThat(Files.readString(ct)).contains("-----BEGIN AGE ENCRYPTED FILE-----");
    Map<String, String> env = Map.of(AgeCli.PASSPHRASE_ENV, PASSPHRASE);
    Result decrypted = ok(CliHarness.run(new byte[0], env, "-d", "-p", ct.toString()));
    assertThat(decrypted.stdout()).isEqualTo(plaintext);
  }

  private static void assertArmor(Path ct, boolean armor) throws IOException {
    byte[] head = Arrays.copyOf(Files.readAllBytes(ct), 40);
    String start = armor ? "-----BEGIN AGE ENCRYPTED FILE-----\n" : "age-encryption.org/v1\n";
    assertThat(new String(head, StandardCharsets.ISO_8859_1)).startsWith(start);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static Result ok(Result result) {
    assertThat(result.exit()).as("chorus-age exit code; stderr: %s", result.stderr()).isZero();
    return result;
  }

  /**
   * Runs {@code command} under {@code script}, which gives it a pseudo-terminal and forwards our
   * stdin to it as typing; returns the command's exit code.
   */
  private static int inTerminal(String command, String typed) throws Exception {
    Process process =
        new ProcessBuilder("script", "-qec", command, "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(typed.getBytes(StandardCharsets.UTF_8));
    }
    return waitFor(process, String.join(" ", command));
  }

  private static boolean scriptWorks() throws Exception {
    return ExternalPrograms.onPath("script") && inTerminal("test -t 0", "") == 0;
  }

  private static String quote(Path path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }

  /** Runs a command, fails the test unless it exits 0, and returns its stdout. */
  private static byte[] exec(List<String> command) throws Exception {
    Path stderr = Files.createTempFile("age-stderr", ".txt");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
              .start();
      process.getOutputStream().close();
      byte[] stdout = process.getInputStream().readAllBytes();
      int exit = waitFor(process, String.join(" ", command));
      assertThat(exit).as("%s exit code; stderr: %s", command, Files.readString(stderr)).isZero();
      return stdout;
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  private static int waitFor(Process process, String what) throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + what);
    }
    return process.exitValue();
  }
}
