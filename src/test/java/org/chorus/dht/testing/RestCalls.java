package org.chorus.dht.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bearer-token JSON calls to a node's REST API on loopback, for the tests that start full Spring
 * nodes themselves (multi-node clusters, restarts) rather than through {@link ApiTestSupport}.
 */
public final class RestCalls {

  /** Per-call timeout when a caller names none: long enough for a lookup on a loaded machine. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RestCalls() {}

  /** The HTTP port a started node listens on. */
  public static int port(ConfigurableApplicationContext node) {
    return ((WebServerApplicationContext) node).getWebServer().getPort();
  }

  /** {@link #send(int, String, String, String, String, Duration)} to a started node. */
  public static HttpResponse<String> send(
      ConfigurableApplicationContext node,
      String token,
      String method,
      String pathAndQuery,
      String json)
      throws IOException, InterruptedException {
    return send(port(node), token, method, pathAndQuery, json, DEFAULT_TIMEOUT);
  }

  /**
   * {@code method} on {@code http://127.0.0.1:<port><pathAndQuery>} with {@code Authorization:
   * Bearer <token>}; a non-null {@code json} is the body, sent as {@code application/json}.
   */
  public static HttpResponse<String> send(
      int port, String token, String method, String pathAndQuery, String json, Duration timeout)
      throws IOException, InterruptedException {
    return send(port, token, method, pathAndQuery, json, timeout, java.util.Map.of());
  }

  /** As {@link #send(int, String, String, String, String, Duration)} with extra headers. */
  public static HttpResponse<String> send(
      int port,
      String token,
      String method,
      String pathAndQuery,
      String json,
      Duration timeout,
      java.util.Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@code GET} of a binary resource (a raw DHT value) from {@code node}, with the bearer token;
   * its status and bytes.
   */
  public static HttpResponse<byte[]> getBytes(
      ConfigurableApplicationContext node, String token, String pathAndQuery)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + pathAndQuery))
            .timeout(DEFAULT_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
