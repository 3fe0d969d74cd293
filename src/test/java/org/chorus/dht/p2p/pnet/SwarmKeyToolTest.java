package org.chorus.dht.p2p.pnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/chorus-swarm-key}: new key files (mode 600), checks, errors and exit codes. */
class SwarmKeyToolTest {
  @TempDir Path dir;

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    out.reset();
    err.reset();
    return SwarmKeyTool.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void writesANewKeyReadableByTheOwnerOnly() throws Exception {
    Path file = dir.resolve("swarm.key");
    assertThat(run(file.toString())).isZero();
    SwarmKey key = SwarmKey.read(file);
    assertThat(err()).contains("wrote a new swarm key to " + file, key.fingerprint());
    assertThat(out()).isEmpty();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left
    }

    // an existing file is kept unless -f
    assertThat(run(file.toString())).isEqualTo(1);
    assertThat(err()).contains("chorus-swarm-key: error:", "exists (-f replaces it)");
    assertThat(SwarmKey.read(file)).isEqualTo(key);
    assertThat(run("-f", file.toString())).isZero();
    assertThat(SwarmKey.read(file)).isNotEqualTo(key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void dashWritesToStdout() {
    assertThat(run("-")).isZero();
    SwarmKey key = SwarmKey.parse(out.toByteArray());
    assertThat(run("-")).isZero();
    assertThat(SwarmKey.parse(out.toByteArray())).isNotEqualTo(key);
  }

  @Test
  void checkPrintsTheFingerprintOrWhatIsWrong() throws Exception {
    SwarmKey key = SwarmKey.generate();
    Path good = Files.write(dir.resolve("good.key"), key.encode());
    assertThat(run("-c", good.toString())).isZero();
    assertThat(out()).contains(good + ": a valid swarm key, fingerprint " + key.fingerprint());

    Path bad = Files.writeString(dir.resolve("bad.key"), "/key/swarm/psk/1.0.0/\n/base64/\nx\n");
    assertThat(run("-c", bad.toString())).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "chorus-swarm-key: error: failed to read swarm key file "
                + bad
                + ": line 2 is /base64/: only /base16/ keys are supported (as Kubo's and"
                + " js-libp2p's key generators write them)\n");
  }

  @Test
  void usageErrorsExit2_andAMissingDirectoryIs1() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("usage: chorus-swarm-key");
    assertThat(run("-x", "file")).isEqualTo(2);
    assertThat(run("a", "b")).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("usage:");
    assertThat(run(dir.resolve("no/such/dir/swarm.key").toString())).isEqualTo(1);
    assertThat(err()).contains("no such directory");
  }
}
