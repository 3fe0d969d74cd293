package org.chorus.dht.age.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Runs {@link AgeCli} in this JVM with given stdin and environment, capturing its output. */
final class CliHarness {

  static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  private CliHarness() {}

  /** What one run produced. */
  record Result(int exit, byte[] stdout, String stderr) {
    String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  static Result run(String... args) {
    return run(new byte[0], Map.of(), args);
  }

  static Result run(byte[] stdin, String... args) {
    return run(stdin, Map.of(), args);
  }

  static Result run(byte[] stdin, Map<String, String> env, String... args) {
    return run(new ByteArrayInputStream(stdin), env, args);
  }

  static Result run(InputStream stdin, Map<String, String> env, String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    AgeCli cli =
        new AgeCli(
            stdin,
            stdout,
            new PrintStream(stderr, true, StandardCharsets.UTF_8),
            env::get,
            Clock.fixed(NOW, ZoneOffset.UTC));
    int exit = cli.run(args);
    return new Result(exit, stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
  }
}
