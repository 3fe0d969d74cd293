package org.chorus.dht.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.ChorusDhtApplication;

/**
 * A node in its own JVM (this test JVM's java and class path), for tests that must stop a node the
 * hard way ({@link #kill()}: SIGKILL, no shutdown hook, no flush) rather than closing a Spring
 * context. Output goes to {@code log}. Thread-safe enough for one test thread.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final int httpPort;
  private final Path log;

  private NodeProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** {@link #freePort}'s range, below Linux's ephemeral range (32768 and up). */
  private static final int FIRST_PORT = 20_000;

  private static final int PORTS = 12_000;

  /** Next candidate of {@link #freePort}, an offset into its range; a random start per JVM. */
  private static final AtomicInteger NEXT_PORT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(PORTS));

  /**
   * A free TCP port on loopback, below the ephemeral range (32768 and up): a port the kernel hands
   * out at random for outgoing connections could be taken by one between this check and the node's
   * bind. Each call in a JVM tries a new port.
   */
  public static int freePort() throws IOException {
    for (int i = 0; i < 2_000; i++) {
      int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException inUse) {
        // taken; try the next one
      }
    }
    throw new IOException("no free port in " + FIRST_PORT + "-" + (FIRST_PORT + PORTS - 1));
  }

  /**
   * Starts the application with {@code --server.port=<httpPort>} followed by {@code args} and waits
   * until its liveness probe answers (at most {@code timeout}).
   */
  public static NodeProcess start(int httpPort, List<String> args, Path log, Duration timeout)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx512m");
    cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; this node does little work
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChorusDhtApplication.class.getName());
    cmd.add("--server.port=" + httpPort);
    cmd.addAll(args);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    NodeProcess node = new NodeProcess(p, httpPort, log);
    node.awaitLive(timeout);
    return node;
  }

  private void awaitLive(Duration timeout) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "node exited with " + process.exitValue() + "; log:\n" + tail());
      }
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + httpPort + "/actuator/health/liveness"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new IllegalStateException("node not live after " + timeout + "; log:\n" + tail());
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  public int httpPort() {
    return httpPort;
  }

  /** Stops the node with SIGKILL: no graceful shutdown. Returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node did not die");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
