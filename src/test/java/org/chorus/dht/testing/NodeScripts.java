package org.chorus.dht.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's test-only Node.js programs in {@code src/test/js} (the js-libp2p interop peer and
 * the typage age helper, see the README there) and their npm packages.
 *
 * <p>The packages are installed in place, into {@code src/test/js/node_modules} (git-ignored), with
 * {@code npm ci} from the committed {@code package-lock.json}: when {@code node_modules} is missing
 * or older than the lock file. In place rather than under {@code target/} so that {@code mvn clean}
 * does not throw away a correct install, and so that the scripts also run by hand from that folder.
 *
 * <p>Thread-safe, and safe across JVMs (the fuzz and helm executions, a second build of the same
 * checkout): {@link #installed()} is synchronized and holds a file lock on {@code
 * target/npm-ci.lock} while it checks and installs.
 */
public final class NodeScripts {

  /** The folder with {@code package.json}, relative to the project (the tests' working dir). */
  public static final Path DIR = Path.of("src", "test", "js").toAbsolutePath();

  private static final Path LOCK = Path.of("target", "npm-ci.lock").toAbsolutePath();
  private static final Path LOG = Path.of("target", "npm-ci.log").toAbsolutePath();
  private static final int MIN_MAJOR = 20;
  private static final int MIN_MINOR = 19;
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\..*");

  private NodeScripts() {}

  /** True if {@code node} (at least 20.19, what the libp2p packages need) and npm are on PATH. */
  public static boolean nodeAvailable() {
    return Probe.AVAILABLE;
  }

  /** Asks once per JVM. */
  private static final class Probe {
    static final boolean AVAILABLE = probe();
  }

  private static boolean probe() {
    Matcher v = VERSION.matcher(output("node", "--version"));
    if (!v.matches()) {
      return false;
    }
    int major = Integer.parseInt(v.group(1));
    int minor = Integer.parseInt(v.group(2));
    boolean recent = major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR);
    return recent && !output("npm", "--version").isEmpty();
  }

  /**
   * Skips the calling test class, saying why on stdout and in the JUnit report, unless Node.js is
   * installed. On CI ({@code CI=true}) a missing Node.js is an error instead: there these tests are
   * the proof of interoperability and must not be skipped.
   */
  public static void requireNode(String what) {
    if (nodeAvailable()) {
      return;
    }
    String reason = what + " needs node (>= 20.19) and npm on PATH";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(reason);
    }
    System.out.println("SKIPPED: " + reason);
    assumeTrue(false, reason);
  }

  /** {@link #DIR}, after installing its packages if they are missing or stale. */
  public static synchronized Path installed() {
    try {
      Files.createDirectories(LOCK.getParent());
      try (FileChannel channel =
              FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        if (stale()) {
          npmCi();
        }
      }
      return DIR;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to install the npm packages in " + DIR, e);
    }
  }

  /** No install yet, or one older than the lock file (npm writes its own copy last). */
  private static boolean stale() throws IOException {
    Path installed = DIR.resolve("node_modules").resolve(".package-lock.json");
    return !Files.exists(installed)
        || Files.getLastModifiedTime(installed)
                .compareTo(Files.getLastModifiedTime(DIR.resolve("package-lock.json")))
            < 0;
  }

  private static void npmCi() throws IOException {
    List<String> command = List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    System.out.println("npm ci in " + DIR + " (log: " + LOG + ")");
    Process npm =
        new ProcessBuilder(command)
            .directory(DIR.toFile())
            .redirectErrorStream(true)
            .redirectOutput(LOG.toFile())
            .start();
    npm.getOutputStream().close();
    try {
      if (!npm.waitFor(10, TimeUnit.MINUTES)) {
        npm.destroyForcibly();
        throw new IllegalStateException("npm ci timed out in " + DIR);
      }
    } catch (InterruptedException e) {
      npm.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during npm ci", e);
    }
    if (npm.exitValue() != 0) {
      throw new IllegalStateException(
          "npm ci failed (exit "
              + npm.exitValue()
              + ") in "
              + DIR
              + ":\n"
              + Files.readString(LOG, StandardCharsets.UTF_8));
    }
  }

  /** The program's stdout and stderr, trimmed; empty if it cannot run or fails. */
  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
