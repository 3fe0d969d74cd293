package org.chorus.dht.age.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.chorus.dht.age.cli.CliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CLI in this JVM against files in a temporary directory. */
class AgeCliTest {

  private static final String ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";

  @TempDir Path dir;

  private byte[] plaintext;
  private Path plain;
  private Path key;
  private String recipient;

  @BeforeEach
  void setUp() throws IOException {
    plaintext = new byte[200_000];
    new Random(42).nextBytes(plaintext);
    plain = Files.write(dir.resolve("plain.bin"), plaintext);
    key = dir.resolve("key.txt");
    recipient = keygen(key);
  }

  @Test
  void keygenWritesAPrivateIdentityFileAndPrintsItsRecipient() throws IOException {
    String text = Files.readString(key);

    assertThat(Files.getPosixFilePermissions(key))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(text)
        .startsWith("# created: 2026-11-24T12:00:00Z\n# public key: " + recipient + "\n")
        .containsPattern("(?m)^AGE-SECRET-KEY-1[0-9A-Z]+$");
    assertThat(recipient).startsWith("age1");
  }

  @Test
  void keygenWithoutOutputWritesToStdout() {
    Result result = CliHarness.run("keygen");

    assertThat(result.exit()).isZero();
    assertThat(result.stdoutText()).contains("AGE-SECRET-KEY-1");
    assertThat(result.stderr()).startsWith("Public key: age1");
  }

  @Test
  void keygenRefusesToOverwrite() throws IOException {
    String before = Files.readString(key);

    Result result = CliHarness.run("keygen", "-o", key.toString());

    assertThat(result.exit()).isEqualTo(AgeCli.EXIT_ERROR);
    assertThat(result.stderr()).startsWith("chorus-age: error: failed to create output file");
    assertThat(Files.readString(key)).isEqualTo(before);
  }

  @Test
  void keygenConvertPrintsTheRecipients() {
    Result result = CliHarness.run("keygen", "-y", key.toString());

    assertThat(result.exit()).isZero();
    assertThat(result.stdoutText()).isEqualTo(recipient + "\n");
  }

  @Test
  void roundTripThroughFiles() throws IOException {
    Path ct = dir.resolve("plain.age");
    Path out = dir.resolve("out.bin");

    ok(CliHarness.run("-r", recipient, "-o", ct.toString(), plain.toString()));
    ok(CliHarness.run("-d", "-i", key.toString(), "-o", out.toString(), ct.toString()));

    assertThat(Files.readAllBytes(ct)).startsWith(bytes("age-encryption.org/v1\n"));
    assertThat(Files.readAllBytes(out)).isEqualTo(plaintext);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void roundTripThroughStdinAndStdout() {
    Result encrypted = ok(CliHarness.run(plaintext, "-e", "-r", recipient));
    Result decrypted = ok(CliHarness.run(encrypted.stdout(), "-d", "-i", key.toString(), "-"));

    assertThat(decrypted.stdout()).isEqualTo(plaintext);
  }

  @Test
  void decryptToDevNullWritesInPlace() throws IOException {
    assumeTrue(!Output.atomic(Path.of("/dev/null")), "/dev/null must not be replaced by a rename");
    Path ct = dir.resolve("plain.age");
    ok(CliHarness.run("-r", recipient, "-o", ct.toString(), plain.toString()));

    ok(CliHarness.run("-d", "-i", key.toString(), "-o", "/dev/null", ct.toString()));

    assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
  }

  @Test
  void emptyInputRoundTrips() {
    Result encrypted = ok(CliHarness.run(new byte[0], "-r", recipient));

    assertThat(ok(CliHarness.run(encrypted.stdout(), "-d", "-i", key.toString())).stdout())
        .isEmpty();
  }

  @Test
  void armorIsWrittenWithDashAAndDetectedOnDecrypt() {
    Result encrypted = ok(CliHarness.run(plaintext, "--armor", "-r", recipient));

    assertThat(encrypted.stdoutText()).startsWith(ARMOR_BEGIN + "\n");
    assertThat(encrypted.stdoutText()).endsWith("-----END AGE ENCRYPTED FILE-----\n");
    Result decrypted = ok(CliHarness.run(encrypted.stdout(), "-d", "-i", key.toString()));
    assertThat(decrypted.stdout()).isEqualTo(plaintext);
  }

  @Test
  void recipientsFileAndIdentityFileAreRecipients() throws IOException {
    Path key2 = dir.resolve("key2.txt");
    Path key3 = dir.resolve("key3.txt");
    String recipient2 = keygen(key2);
    keygen(key3);
    Path recipients = dir.resolve("recipients.txt");
    Files.writeString(recipients, "# team\n" + recipient + "\n\n" + recipient2 + "\n");

    Result encrypted =
        ok(CliHarness.run(plaintext, "-R", recipients.toString(), "-i", key3.toString()));

    for (Path identity : List.of(key, key2, key3)) {
      Result decrypted = ok(CliHarness.run(encrypted.stdout(), "-d", "-i", identity.toString()));
      assertThat(decrypted.stdout()).as("decrypted with %s", identity).isEqualTo(plaintext);
    }
  }

  @Test
  void severalIdentityFilesAreAllTried() throws IOException {
    Path other = dir.resolve("other.txt");
    keygen(other);
    Result encrypted = ok(CliHarness.run(plaintext, "-r", recipient));

    Result decrypted =
        CliHarness.run(encrypted.stdout(), "-d", "-i", other.toString(), "-i", key.toString());

    assertThat(ok(decrypted).stdout()).isEqualTo(plaintext);
  }

  @Test
  void passphraseComesFromTheEnvironment() {
    Map<String, String> env = Map.of(AgeCli.PASSPHRASE_ENV, "correct horse battery staple");

    Result encrypted = ok(CliHarness.run(plaintext, env, "-p", "-a"));
    Result decrypted = ok(CliHarness.run(encrypted.stdout(), env, "-d", "-p"));
    Result wrong =
        CliHarness.run(encrypted.stdout(), Map.of(AgeCli.PASSPHRASE_ENV, "wrong"), "-d", "-p");

    assertThat(encrypted.stdoutText()).startsWith(ARMOR_BEGIN);
    assertThat(decrypted.stdout()).isEqualTo(plaintext);
    assertOneLineError(wrong);
    assertThat(wrong.stdout()).isEmpty();
  }

  @Test
  void passphraseWithoutTheEnvironmentVariableFails() {
    Result result = CliHarness.run(plaintext, "-p");

    assertOneLineError(result);
    assertThat(result.stderr()).contains(AgeCli.PASSPHRASE_ENV);
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void wrongKeyFailsWithAClearMessageAndLeavesNoOutputFile() throws IOException {
    Path other = dir.resolve("other.txt");
    keygen(other);
    Path ct = dir.resolve("plain.age");
    ok(CliHarness.run("-r", recipient, "-o", ct.toString(), plain.toString()));
    Path out = dir.resolve("out.bin");

    Result result =
        CliHarness.run("-d", "-i", other.toString(), "-o", out.toString(), ct.toString());

    assertOneLineError(result);
    assertThat(result.stderr()).containsIgnoringCase("identit");
    assertThat(out).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void truncatedCiphertextLeavesNoOutputFileAndKeepsAnExistingOne() throws IOException {
    byte[] ct = ok(CliHarness.run(plaintext, "-r", recipient)).stdout();
    Path truncated = Files.write(dir.resolve("truncated.age"), Arrays.copyOf(ct, ct.length - 100));
    Path out = Files.writeString(dir.resolve("out.bin"), "keep me");

    Result result =
        CliHarness.run("-d", "-i", key.toString(), "-o", out.toString(), truncated.toString());

    assertOneLineError(result);
    assertThat(out).hasContent("keep me");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void outputOverwritesAnExistingFileOnSuccess() throws IOException {
    Path out = Files.writeString(dir.resolve("out.age"), "old");

    ok(CliHarness.run("-r", recipient, "-o", out.toString(), plain.toString()));

    assertThat(Files.readAllBytes(out)).startsWith(bytes("age-encryption.org/v1\n"));
  }

  @Test
  void missingInputFileFails() {
    Path out = dir.resolve("out.age");

    Result result =
        CliHarness.run("-r", recipient, "-o", out.toString(), dir.resolve("nope").toString());

    assertOneLineError(result);
    assertThat(result.stderr())
        .contains("failed to open input file")
        .contains("no such file or directory");
    assertThat(out).doesNotExist();
  }

  @Test
  void directoryAsInputFailsWithAPrefixedMessage() throws IOException {
    Path out = dir.resolve("out.age");

    Result result = CliHarness.run("-r", recipient, "-o", out.toString(), dir.toString());

    assertOneLineError(result);
    assertThat(result.stderr()).startsWith("chorus-age: error: failed to encrypt: ");
    assertThat(out).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void inputFailureOnStdoutLeavesACiphertextThatDoesNotDecrypt() {
    InputStream failing =
        new SequenceInputStream(
            new ByteArrayInputStream(plaintext),
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw new IOException("disk on fire");
              }
            });

    Result encrypted = CliHarness.run(failing, Map.of(), "-r", recipient);
    Result decrypted = CliHarness.run(encrypted.stdout(), "-d", "-i", key.toString());

    assertOneLineError(encrypted);
    assertThat(encrypted.stderr()).contains("disk on fire");
    assertThat(encrypted.stdout()).startsWith(bytes("age-encryption.org/v1\n"));
    assertOneLineError(decrypted);
  }

  @Test
  void malformedRecipientFails() {
    Result result = CliHarness.run(plaintext, "-r", "age1notakey");

    assertOneLineError(result);
    assertThat(result.stderr()).contains("failed to parse recipient \"age1notakey\"");
  }

  @Test
  void missingIdentityFileFails() {
    Result result = CliHarness.run(new byte[0], "-d", "-i", dir.resolve("nope").toString());

    assertOneLineError(result);
    assertThat(result.stderr()).contains("failed to read identity file");
  }

  @Test
  void garbageInputFailsToDecrypt() {
    Result result = CliHarness.run(bytes("not an age file\n"), "-d", "-i", key.toString());

    assertOneLineError(result);
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void badFlagsExitWithUsage() {
    Result result = CliHarness.run("--frobnicate");

    assertThat(result.exit()).isEqualTo(AgeCli.EXIT_USAGE);
    assertThat(result.stderr()).startsWith("chorus-age: error: unknown flag: --frobnicate\n");
    assertThat(result.stderr()).contains("Usage:");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void missingRecipientsExitWithUsage() {
    Result result = CliHarness.run(plaintext);

    assertThat(result.exit()).isEqualTo(AgeCli.EXIT_USAGE);
    assertThat(result.stderr()).startsWith("chorus-age: error: missing recipients");
  }

  @Test
  void helpGoesToStdout() {
    Result result = CliHarness.run("--help");

    assertThat(result.exit()).isZero();
    assertThat(result.stdoutText()).startsWith("Usage:");
  }

  private String keygen(Path file) {
    Result result = ok(CliHarness.run("keygen", "-o", file.toString()));
    assertThat(result.stderr()).startsWith("Public key: age1").endsWith("\n");
    return result.stderr().substring("Public key: ".length()).strip();
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }

  private static Result ok(Result result) {
    assertThat(result.exit()).as("exit code; stderr: %s", result.stderr()).isZero();
    return result;
  }

  private static void assertOneLineError(Result result) {
    assertThat(result.exit()).as("exit code").isEqualTo(AgeCli.EXIT_ERROR);
    assertThat(result.stderr()).startsWith("chorus-age: error: failed to ").endsWith("\n");
    assertThat(result.stderr().strip()).doesNotContain("\n");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
