package org.chorus.dht.p2p.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The js-libp2p reference peer ({@code ../shared/jspeer}) as a child process. The shared folder is
 * read-only, so its sources are copied to {@code target/jspeer} and {@code npm ci} runs there once.
 * The peer exits when its stdin pipe closes ({@code --exit-on-stdin-close}); {@link #close()} does
 * that and waits, and kills only this child if it lingers.
 */
public final class JsPeer implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> FILES =
      List.of("package.json", "package-lock.json", "peer.mjs", "kadwire.mjs", "node20-compat.mjs");

  private final Process process;
  private final JsonNode ready;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JsPeer(Process process, JsonNode ready) {
    this.process = process;
    this.ready = ready;
  }

  /** True if node is on the PATH (the interop tests need it). */
  public static boolean nodeAvailable() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Copies the peer to a writable folder and installs its packages (once per build). */
  static synchronized Path prepare() throws IOException, InterruptedException {
    Path shared = Paths.get(System.getProperty("chorus.shared.dir", "../shared")).resolve("jspeer");
    if (!Files.isRegularFile(shared.resolve("peer.mjs"))) {
      throw new IllegalStateException("jspeer not found at " + shared.toAbsolutePath());
    }
    Path dir = Paths.get("target", "jspeer").toAbsolutePath();
    Files.createDirectories(dir);
    boolean lockChanged =
        !Files.exists(dir.resolve("package-lock.json"))
            || Files.mismatch(shared.resolve("package-lock.json"), dir.resolve("package-lock.json"))
                != -1;
    for (String f : FILES) {
      Path target = dir.resolve(f);
      Files.copy(shared.resolve(f), target, StandardCopyOption.REPLACE_EXISTING);
      target.toFile().setWritable(true);
    }
    if (lockChanged || !Files.isDirectory(dir.resolve("node_modules"))) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        throw new IllegalStateException("npm ci failed in " + dir + ":\n" + out);
      }
    }
    return dir;
  }

  /** Starts a peer with extra flags, e.g. {@code --seed <hex>} or {@code --key-type RSA}. */
  public static JsPeer start(String... flags) throws Exception {
    Path dir = prepare();
    List<String> cmd = new ArrayList<>(List.of("node", "peer.mjs", "--exit-on-stdin-close"));
    cmd.addAll(List.of(flags));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectError(dir.resolve("peer-" + System.nanoTime() + ".err").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    String first;
    try {
      first = line.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroy();
      throw new IllegalStateException("jspeer did not get ready", e);
    }
    if (first == null) {
      p.destroy();
      throw new IllegalStateException("jspeer exited before its ready line");
    }
    JsonNode ready = JSON.readTree(first);
    // keep draining stdout so the child never blocks on a full pipe
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // child gone
              }
            },
            "jspeer-stdout");
    drain.setDaemon(true);
    drain.start();
    return new JsPeer(p, ready);
  }

  public PeerId peerId() {
    return PeerId.parse(ready.get("peerId").asString());
  }

  /** The first listen address, with {@code /p2p/<id>}. */
  public Multiaddr addr() {
    return Multiaddr.parse(ready.get("addrs").get(0).asString());
  }

  public JsonNode ready() {
    return ready;
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(ready.get("http").asString() + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    return JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
  }

  public JsonNode post(String path, String json) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(ready.get("http").asString() + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
  }

  public static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
