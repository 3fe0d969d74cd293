package org.chorus.dht.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.chorus.dht.ChorusDhtApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Build step (exec-maven-plugin, phase {@code process-test-classes}): boots the real application on
 * a random port over a temporary data directory, fetches its {@code /v3/api-docs} and writes it,
 * pretty-printed with sorted keys, to the file named by the first argument. The generated Java
 * client of the end-to-end test is built from that file, so the published spec is what the client
 * proves.
 *
 * <p>The output is the same for the same application, so an unchanged spec is left alone (the
 * generator then skips, and javac finds nothing to compile); a changed one also deletes the
 * directory named by the optional second argument, the generator's output, so that no source of a
 * removed operation or schema outlives it.
 */
public final class OpenApiSpecDump {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private OpenApiSpecDump() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: OpenApiSpecDump <output.json> [<generated-sources-dir>]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path generated = args.length == 2 ? Path.of(args[1]) : null;
    Path dataDir = Files.createTempDirectory("chorus-openapi-");
    int status = 1;
    try (ConfigurableApplicationContext node =
        new SpringApplicationBuilder(ChorusDhtApplication.class)
            .run(
                "--server.port=0",
                "--chorus.data-dir=" + dataDir,
                "--chorus.node-id=openapi-dump",
                "--chorus.dht.listen=/ip4/127.0.0.1/tcp/0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--logging.level.org.springdoc=ERROR")) {
      int port = ((WebServerApplicationContext) node).getWebServer().getPort();
      String spec = format(fetch(URI.create("http://127.0.0.1:" + port + "/v3/api-docs")));
      if (Files.exists(out) && Files.readString(out).equals(spec)) {
        System.out.println("OpenAPI spec unchanged: " + out);
      } else {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, spec);
        if (generated != null) {
          deleteTree(generated);
        }
        System.out.println("OpenAPI spec written to " + out);
      }
      status = 0;
    } finally {
      deleteTree(dataDir);
    }
    System.exit(status);
  }

  private static String fetch(URI uri) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "failed to fetch " + uri + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** Pretty-printed with sorted keys, so the same spec is the same text. */
  private static String format(String spec) {
    JsonMapper json =
        JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    return json.writeValueAsString(json.readValue(spec, Map.class)) + "\n";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
