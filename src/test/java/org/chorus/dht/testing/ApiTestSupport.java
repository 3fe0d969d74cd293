package org.chorus.dht.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.system.TokenRegistry;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the full-application HTTP tests: one real node on a random port over one temporary data
 * directory, shared by every subclass (one Spring context for all of them), with a token per role.
 * Tests use distinct addresses so they do not see each other's data.
 */
@SpringBootTest(
    classes = ChorusDhtApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiTestSupport {

  /** The data directory of the shared node. */
  protected static final Path DATA_DIR = tempDir();

  /** Tokens by role; the senior architect one is also admin. */
  protected static final Map<String, String> TOKENS =
      Map.of(
          "backend_developer", "test-token-backend",
          "frontend_developer", "test-token-frontend",
          "devops_engineer", "test-token-devops",
          "qa_engineer", "test-token-qa",
          "read_only_observer", "test-token-observer",
          "senior_architect", "test-token-architect");

  protected static final JsonMapper JSON = JsonMapper.builder().build();

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @LocalServerPort protected int port;

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("chorus-api-test-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover temp directory is harmless
    }
  }

  @DynamicPropertySource
  static void nodeProperties(DynamicPropertyRegistry registry) {
    registry.add("chorus.data-dir", DATA_DIR::toString);
    registry.add("chorus.node-id", () -> "test-node");
    // the default backend (hybrid, standalone: no bootstrap peers) on a free loopback port
    registry.add("chorus.dht.listen", () -> "/ip4/127.0.0.1/tcp/0");
    int i = 0;
    for (var entry : TOKENS.entrySet()) {
      String prefix = "chorus.security.tokens[" + i++ + "].";
      registry.add(prefix + "principal", () -> "user-" + entry.getKey());
      registry.add(prefix + "role", entry::getKey);
      registry.add(prefix + "admin", () -> entry.getKey().equals("senior_architect"));
      registry.add(prefix + "sha256", () -> TokenRegistry.sha256Hex(entry.getValue()));
    }
  }

  /** A fresh address no other test uses. */
  protected static String newAddress(String role, String path) {
    return "ucxl://agent-"
        + SEQUENCE.incrementAndGet()
        + "/"
        + role
        + "/proj-"
        + ProcessHandle.current().pid()
        + "/task-1/"
        + path;
  }

  protected static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  protected URI uri(String pathAndQuery) {
    return URI.create("http://localhost:" + port + pathAndQuery);
  }

  /** Sends a request; {@code role} picks the token (null: no Authorization header). */
  protected HttpResponse<byte[]> send(
      String method, String pathAndQuery, String role, byte[] body, String contentType) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri(pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (role != null) {
      String token = TOKENS.getOrDefault(role, role);
      builder.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    try {
      return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  protected HttpResponse<byte[]> get(String pathAndQuery, String role) {
    return send("GET", pathAndQuery, role, null, null);
  }

  protected HttpResponse<byte[]> putJson(String pathAndQuery, String role, Object body) {
    return send("PUT", pathAndQuery, role, JSON.writeValueAsBytes(body), "application/json");
  }

  /** Stores text at {@code address} as {@code role}; asserts 201 and returns the metadata. */
  protected JsonNode storeText(String address, String role, String text) {
    HttpResponse<byte[]> response =
        putJson(
            "/api/v1/content?address=" + enc(address),
            role,
            Map.of("text", text, "contentType", "text/plain"));
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(201);
    return json(response);
  }

  protected static JsonNode json(HttpResponse<byte[]> response) {
    return JSON.readTree(response.body());
  }

  /** Asserts an RFC 9457 problem with the status, and returns it. */
  protected static JsonNode problem(HttpResponse<byte[]> response, int status) {
    assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode problem = json(response);
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("type").asString()).startsWith("urn:chorus:problem:");
    assertThat(problem.path("detail").asString()).isNotBlank();
    return problem;
  }
}
