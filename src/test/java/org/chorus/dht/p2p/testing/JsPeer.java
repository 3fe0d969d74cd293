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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.testing.NodeScripts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The project's js-libp2p interop peer ({@code src/test/js/interop-peer.mjs}, see the README there)
 * as a child process: run with {@code node} from {@link NodeScripts#installed()}, which installs
 * its npm packages first when needed. Its stderr goes to {@code target/interop-peer/}. The peer
 * exits when its stdin pipe closes ({@code --exit-on-stdin-close}); {@link #close()} does that and
 * waits, and kills only this child if it lingers.
 */
public final class JsPeer implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path LOGS = Path.of("target", "interop-peer").toAbsolutePath();

  private final Process process;
  private final JsonNode ready;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JsPeer(Process process, JsonNode ready) {
    this.process = process;
    this.ready = ready;
  }

  /** True if node and npm are on the PATH (the interop tests need them). */
  public static boolean nodeAvailable() {
    return NodeScripts.nodeAvailable();
  }

  /** Starts a peer with extra flags, e.g. {@code --seed <hex>} or {@code --key-type RSA}. */
  public static JsPeer start(String... flags) throws Exception {
    Path dir = NodeScripts.installed();
    List<String> cmd =
        new ArrayList<>(List.of("node", "interop-peer.mjs", "--exit-on-stdin-close"));
    cmd.addAll(List.of(flags));
    Files.createDirectories(LOGS);
    Path stderr = LOGS.resolve("peer-" + System.nanoTime() + ".err");
    Process p =
        new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(stderr.toFile()).start();
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
      throw new IllegalStateException("the js peer did not get ready; stderr: " + stderr, e);
    }
    if (first == null) {
      p.destroy();
      throw new IllegalStateException(
          "the js peer exited before its ready line: " + Files.readString(stderr));
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
            "js-peer-stdout");
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
