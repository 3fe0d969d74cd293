package org.chorus.dht.p2p.pnet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code bin/chorus-swarm-key}: writes a new swarm key file, or checks one.
 *
 * <pre>
 * chorus-swarm-key [-f] FILE    a new key in FILE, mode 600 (-f replaces an existing FILE)
 * chorus-swarm-key -            a new key on stdout
 * chorus-swarm-key -c FILE      checks FILE and prints its fingerprint
 * </pre>
 *
 * <p>A file appears only when complete (written beside it with mode 600, then renamed). Errors are
 * one line on stderr and exit 1; usage errors exit 2. Needs nothing but the JDK.
 */
public final class SwarmKeyTool {

  static final String USAGE =
      """
      usage: chorus-swarm-key [-f] FILE    write a new swarm key to FILE (mode 600); -f replaces FILE
             chorus-swarm-key -            write a new swarm key to stdout
             chorus-swarm-key -c FILE      check a swarm key file and print its fingerprint
      """;

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private SwarmKeyTool() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err));
  }

  /** Runs the tool; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.equals(List.of("-h")) || args.equals(List.of("--help"))) {
      out.print(USAGE);
      return 0;
    }
    boolean check = args.size() == 2 && args.get(0).equals("-c");
    boolean force = args.size() == 2 && args.get(0).equals("-f");
    boolean plain = args.size() == 1 && (args.get(0).equals("-") || !args.get(0).startsWith("-"));
    if (!check && !force && !plain) {
      String what = args.isEmpty() ? "no FILE given" : "bad arguments " + String.join(" ", args);
      err.print("chorus-swarm-key: error: " + what + "\n" + USAGE);
      return 2;
    }
    String target = args.get(args.size() - 1);
    try {
      if (check) {
        SwarmKey key = SwarmKey.read(Path.of(target));
        out.println(target + ": a valid swarm key, fingerprint " + key.fingerprint());
        return 0;
      }
      SwarmKey key = SwarmKey.generate();
      if (target.equals("-")) {
        out.write(key.encode());
        out.flush();
      } else {
        writePrivate(Path.of(target), key.encode(), force);
        err.println(
            "wrote a new swarm key to " + target + " (fingerprint " + key.fingerprint() + ")");
      }
      return 0;
    } catch (IOException e) {
      err.println("chorus-swarm-key: error: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Writes {@code content} to {@code file}, readable by the owner only: into a temporary file made
   * with mode 600 beside it, then renamed into place. Without {@code replace} an existing file is
   * an error.
   */
  static void writePrivate(Path file, byte[] content, boolean replace) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new IOException("failed to write " + file + ": no such directory " + dir);
    }
    if (!replace && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("failed to write " + file + ": it exists (-f replaces it)");
    }
    Path tmp;
    try {
      tmp =
          POSIX
              ? Files.createTempFile(
                  dir,
                  ".swarm-key-",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(dir, ".swarm-key-", ".tmp");
    } catch (IOException e) {
      throw new IOException("failed to write " + file + ": " + reason(e), e);
    }
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IOException("failed to write " + file + ": " + reason(e), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    return String.valueOf(e.getMessage());
  }
}
