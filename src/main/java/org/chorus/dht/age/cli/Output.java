package org.chorus.dht.age.cli;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the CLI writes its result: standard output, or a file that appears only when the result is
 * complete.
 *
 * <p>A file output is written to a hidden temporary file in the target's directory and moved over
 * the target by {@link #commit()}; {@link #close()} without a commit, or a JVM shutdown (Ctrl-C,
 * SIGTERM) before it, deletes the temporary file, so a failed or interrupted run leaves no partial
 * or garbage file behind and never touches an existing target. Standard output, devices and pipes
 * cannot be taken back: on failure they have whatever was written so far, as with {@code age}. Not
 * thread-safe.
 */
abstract sealed class Output implements Closeable {

  /** The CLI's buffer size: large writes keep system calls few on 512 MiB files. */
  static final int BUFFER_SIZE = 1 << 20;

  private Output() {}

  /** Writes to {@code stdout}; closing the stream flushes it but leaves {@code stdout} open. */
  static Output stdout(OutputStream stdout) {
    return new Stdout(stdout);
  }

  /**
   * Writes to a temporary file beside {@code target} that {@link #commit()} moves into place; or,
   * if {@code target} exists and is not a regular file ({@code /dev/null}, a FIFO, {@code
   * /dev/stdout}), straight to it, since a rename would replace the device or pipe.
   */
  static Output file(Path target) throws IOException {
    return atomic(target) ? new AtomicFile(target) : new Direct(target);
  }

  /** Whether {@link #file} writes {@code target} through a temporary file. */
  static boolean atomic(Path target) {
    return Files.isRegularFile(target) || !Files.exists(target);
  }

  /** The stream to write the result to; closing it does not commit. */
  abstract OutputStream stream();

  /** Flushes the result and makes it visible at its destination. */
  abstract void commit() throws IOException;

  private static final class Stdout extends Output {
    private final OutputStream stream;

    Stdout(OutputStream stdout) {
      this.stream =
          new FilterOutputStream(stdout) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
              flush();
            }
          };
    }

    @Override
    OutputStream stream() {
      return stream;
    }

    @Override
    void commit() throws IOException {
      stream.flush();
    }

    @Override
    public void close() throws IOException {
      stream.flush();
    }
  }

  private static final class Direct extends Output {
    private final Path target;
    private final OutputStream stream;

    Direct(Path target) throws IOException {
      this.target = target;
      try {
        this.stream = new BufferedOutputStream(Files.newOutputStream(target), BUFFER_SIZE);
      } catch (IOException e) {
        throw new IOException("failed to open output " + target + ": " + Failures.reason(e), e);
      }
    }

    @Override
    OutputStream stream() {
      return stream;
    }

    @Override
    void commit() throws IOException {
      try {
        stream.close();
      } catch (IOException e) {
        throw new IOException("failed to write output " + target + ": " + Failures.reason(e), e);
      }
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  private static final class AtomicFile extends Output {
    private final Path target;
    private final Path temp;
    private final OutputStream stream;

    /** Deletes the temporary file if the JVM is stopped (Ctrl-C, SIGTERM) before commit. */
    private final Thread onShutdown = new Thread(this::deleteTemp, "chorus-age-cleanup");

    private boolean done;
    private boolean aborted; // guarded by this

    AtomicFile(Path target) throws IOException {
      // Through a symbolic link to the file it names, as a plain open would write.
      this.target = Files.isSymbolicLink(target) ? target.toRealPath() : target.toAbsolutePath();
      this.temp = tempPath(this.target);
      try {
        this.stream =
            new BufferedOutputStream(
                Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW), BUFFER_SIZE);
      } catch (IOException e) {
        throw new IOException(
            "failed to create output file " + target + ": " + Failures.reason(e), e);
      }
      Runtime.getRuntime().addShutdownHook(onShutdown);
    }

    /** A hidden, unique name in the target's directory, so the final move is a rename. */
    private static Path tempPath(Path target) {
      byte[] random = new byte[6];
      ThreadLocalRandom.current().nextBytes(random);
      String name = "." + target.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp";
      return target.resolveSibling(name);
    }

    @Override
    OutputStream stream() {
      return stream;
    }

    @Override
    void commit() throws IOException {
      synchronized (this) {
        if (aborted) {
          throw new IOException("failed to write output file " + target + ": interrupted");
        }
        try {
          stream.close();
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          throw new IOException(
              "failed to write output file " + target + ": " + Failures.reason(e), e);
        }
      }
      finish();
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      try {
        stream.close();
      } catch (IOException ignored) {
        // The result is being discarded; the error that got us here is the one to report.
      } finally {
        Files.deleteIfExists(temp);
        finish();
      }
    }

    private void finish() {
      done = true;
      try {
        Runtime.getRuntime().removeShutdownHook(onShutdown);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway; the temporary file is gone or moved, so it does nothing.
      }
    }

    /** The shutdown hook: no commit after it started (a signal that raced the end of input). */
    private synchronized void deleteTemp() {
      aborted = true;
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // Nothing left to report to at shutdown.
      }
    }
  }
}
