package org.chorus.dht.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chorus.dht.testing.NodeScripts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interop with typage (npm {@code age-encryption}, the age authors' TypeScript implementation),
 * through {@code src/test/js/age-helper.mjs}: what we encrypt, typage decrypts, and the other way
 * round, binary and armored, to one and three X25519 recipients, for sizes around the 64 KiB STREAM
 * chunk boundary and about 1 MiB; and scrypt passphrases both ways. Needs only Node.js, so unlike
 * the {@code age} CLI tests it runs wherever the build does (on CI a missing node fails).
 */
class AgeTypageInteropTest {

  private static final int CHUNK = 64 * 1024;
  private static final String PASSPHRASE = "typage interop passphrase";
  private static final String ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----\n";
  private static final String BINARY_BEGIN = "age-encryption.org/v1\n";

  @TempDir static Path keys;

  /** Identity files (age-keygen format): two made by us, the last one by typage. */
  private static final List<Path> identityFiles = new ArrayList<>();

  private static final List<X25519Identity> identities = new ArrayList<>();
  private static Path js;

  @BeforeAll
  static void installTypageAndMakeKeys() throws Exception {
    NodeScripts.requireNode("AgeTypageInteropTest (typage, npm age-encryption)");
    js = NodeScripts.installed();
    identities.add(X25519Identity.generate());
    identities.add(X25519Identity.generate());
    String[] typageKey = text(helper(new byte[0], Map.of(), "keygen")).split("\n");
    X25519Identity theirs = X25519Identity.parse(typageKey[0]);
    // typage derives the same recipient from its identity as we do
    assertThat(theirs.recipient().encode()).isEqualTo(typageKey[1]);
    identities.add(theirs);
    for (int i = 0; i < identities.size(); i++) {
      Path file = keys.resolve("key-" + i + ".txt");
      Files.writeString(file, IdentityFile.format(identities.get(i), Instant.now()));
      identityFiles.add(file);
    }
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int size : new int[] {0, 1, CHUNK, CHUNK + 1, 16 * CHUNK + 7}) {
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
  void typageDecryptsWhatWeEncrypt(int size, boolean armor, int n) throws Exception {
    byte[] plaintext = random(size);
    List<X25519Recipient> recipients =
        identities.subList(0, n).stream().map(X25519Identity::recipient).toList();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = Age.encrypt(armor ? Armor.armor(sink) : sink, recipients)) {
      out.write(plaintext);
    }
    byte[] ciphertext = sink.toByteArray();
    assertStart(ciphertext, armor);

    for (Path identity : identityFiles.subList(0, n)) {
      byte[] decrypted = helper(ciphertext, Map.of(), "decrypt", "-i", identity.toString());
      assertThat(decrypted).as("typage decrypt -i %s", identity.getFileName()).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest(name = "size={0} armor={1} recipients={2}")
  @MethodSource("matrix")
  void weDecryptWhatTypageEncrypts(int size, boolean armor, int n) throws Exception {
    byte[] plaintext = random(size);
    List<String> args = new ArrayList<>(List.of("encrypt"));
    identities.subList(0, n).forEach(id -> args.addAll(List.of("-r", id.recipient().encode())));
    if (armor) {
      args.add("-a");
    }
    byte[] ciphertext = helper(plaintext, Map.of(), args.toArray(String[]::new));
    assertStart(ciphertext, armor);

    for (X25519Identity identity : identities.subList(0, n)) {
      assertThat(decrypt(ciphertext, identity))
          .as("decrypt with %s", identity)
          .isEqualTo(plaintext);
    }
  }

  @Test
  void typageRefusesOurFileForAnotherIdentity() throws Exception {
    byte[] ciphertext = encrypt(random(100), identities.get(0).recipient());

    Result r = run(ciphertext, Map.of(), "decrypt", "-i", identityFiles.get(1).toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(1);
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void weRefuseTypagesFileForAnotherIdentity() throws Exception {
    byte[] ciphertext =
        helper(random(100), Map.of(), "encrypt", "-r", identities.get(0).recipient().encode());

    assertThatThrownBy(() -> decrypt(ciphertext, identities.get(1)))
        .isInstanceOf(NoIdentityMatchException.class);
  }

  @Test
  void typageDecryptsOurPassphraseEncryption() throws Exception {
    byte[] plaintext = random(CHUNK + 4464);
    for (boolean armor : new boolean[] {false, true}) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      try (OutputStream out =
          Age.encrypt(armor ? Armor.armor(sink) : sink, new ScryptRecipient(PASSPHRASE))) {
        out.write(plaintext);
      }

      byte[] decrypted = helper(sink.toByteArray(), passphrase(PASSPHRASE), "decrypt", "-p");
      Result wrong = run(sink.toByteArray(), passphrase("not it"), "decrypt", "-p");

      assertThat(decrypted).as("armor=%s", armor).isEqualTo(plaintext);
      assertThat(wrong.exit()).as(wrong.stderr()).isEqualTo(1);
      assertThat(wrong.stdout()).isEmpty();
    }
  }

  @Test
  void weDecryptTypagesPassphraseEncryption() throws Exception {
    byte[] plaintext = random(CHUNK + 4464);
    for (boolean armor : new boolean[] {false, true}) {
      byte[] ciphertext =
          armor
              ? helper(plaintext, passphrase(PASSPHRASE), "encrypt", "-p", "-a")
              : helper(plaintext, passphrase(PASSPHRASE), "encrypt", "-p");
      assertStart(ciphertext, armor);

      assertThat(decrypt(ciphertext, new ScryptIdentity(PASSPHRASE)))
          .as("armor=%s", armor)
          .isEqualTo(plaintext);
      assertThatThrownBy(() -> decrypt(ciphertext, new ScryptIdentity("not it")))
          .isInstanceOf(NoIdentityMatchException.class);
    }
  }

  // --- helpers

  private static byte[] encrypt(byte[] plaintext, Recipient recipient) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = Age.encrypt(sink, recipient)) {
      out.write(plaintext);
    }
    return sink.toByteArray();
  }

  private static byte[] decrypt(byte[] ciphertext, Identity identity) throws IOException {
    try (InputStream in =
        Age.decrypt(Armor.detect(new ByteArrayInputStream(ciphertext)), identity)) {
      return in.readAllBytes();
    }
  }

  private static void assertStart(byte[] ciphertext, boolean armor) {
    String head = new String(Arrays.copyOf(ciphertext, 40), StandardCharsets.ISO_8859_1);
    assertThat(head).startsWith(armor ? ARMOR_BEGIN : BINARY_BEGIN);
  }

  private static Map<String, String> passphrase(String passphrase) {
    return Map.of("AGE_PASSPHRASE", passphrase);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The helper's stdout; fails the test unless it exits 0. */
  private static byte[] helper(byte[] stdin, Map<String, String> env, String... args)
      throws Exception {
    Result r = run(stdin, env, args);
    assertThat(r.exit()).as("age-helper %s exit code; stderr: %s", args[0], r.stderr()).isZero();
    return r.stdout();
  }

  private record Result(int exit, byte[] stdout, String stderr) {}

  /** Runs {@code node age-helper.mjs args}, stdin and stdout through files (no pipe deadlock). */
  private static Result run(byte[] stdin, Map<String, String> env, String... args)
      throws Exception {
    Path in = Files.write(Files.createTempFile(keys, "stdin", ""), stdin);
    Path out = Files.createTempFile(keys, "stdout", "");
    Path err = Files.createTempFile(keys, "stderr", "");
    List<String> command = new ArrayList<>(List.of("node", "age-helper.mjs"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(js.toFile())
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("AGE_PASSPHRASE");
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("age-helper timed out: " + command);
    }
    Result r = new Result(process.exitValue(), Files.readAllBytes(out), Files.readString(err));
    for (Path p : List.of(in, out, err)) {
      Files.delete(p);
    }
    return r;
  }
}
