import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * HTTP load driver for one chorus-dht node (JDK only; run with {@code java bench/HttpBench.java}).
 *
 * <p>After a warm-up of every path on separate items, phases with the same concurrency: a
 * trivial endpoint of the same app ({@code /api/v1/ping}: security filters and token check, no
 * storage work) and {@code /actuator/health/liveness}, stores of N distinct items, a first retrieve of each item
 * (cache miss: backend read, signature and hash check, age decryption), a second retrieve of each
 * (cache hit). Prints a table with throughput, latency percentiles and the ratio to the trivial
 * endpoint.
 *
 * <p>Usage: {@code java bench/HttpBench.java <baseUrl> <token> [items=2000] [concurrency=8]
 * [sizeBytes=1024] [role=qa_engineer]}
 */
public class HttpBench {

  record Result(String name, int requests, int errors, double seconds, long[] latenciesNanos) {
    double perSecond() {
      return requests / seconds;
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return 0;
      }
      int i = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, i)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int items = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 1024;
    String role = args.length > 5 ? args[5] : "qa_engineer";

    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(concurrency))
            .build();
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<String> addresses = new ArrayList<>();
    int warm = Math.max(200, items / 5);
    for (int i = 0; i < items + warm; i++) {
      addresses.add("ucxl://bench/" + role + "/run-" + run + "/t" + (i % 16) + "/item-" + i + ".txt");
    }
    byte[] content = new byte[size];
    new Random(1).nextBytes(content);
    String body =
        "{\"content\":\""
            + Base64.getEncoder().encodeToString(content)
            + "\",\"contentType\":\"application/octet-stream\"}";

    IntFunction<HttpRequest> ping =
        i ->
            HttpRequest.newBuilder(URI.create(base + "/api/v1/ping"))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
    IntFunction<HttpRequest> health =
        i -> HttpRequest.newBuilder(URI.create(base + "/actuator/health/liveness")).GET().build();
    IntFunction<HttpRequest> store =
        i ->
            HttpRequest.newBuilder(URI.create(base + "/api/v1/content?address=" + enc(addresses.get(i))))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();
    IntFunction<HttpRequest> retrieve =
        i ->
            HttpRequest.newBuilder(URI.create(base + "/api/v1/content?address=" + enc(addresses.get(i))))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();

    // warm-up of every path on items [items, items + warm), not measured
    IntFunction<HttpRequest> warmStore = i -> store.apply(items + i);
    IntFunction<HttpRequest> warmRetrieve = i -> retrieve.apply(items + i);
    phase(client, "warm-up", warm, concurrency, ping);
    phase(client, "warm-up", warm, concurrency, health);
    phase(client, "warm-up", warm, concurrency, warmStore);
    phase(client, "warm-up", warm, concurrency, warmRetrieve);
    phase(client, "warm-up", warm, concurrency, warmRetrieve);

    List<Result> results = new ArrayList<>();
    results.add(phase(client, "trivial GET /api/v1/ping (token check)", items, concurrency, ping));
    results.add(phase(client, "GET /actuator/health/liveness", items, concurrency, health));
    results.add(phase(client, "store PUT /api/v1/content", items, concurrency, store));
    results.add(phase(client, "retrieve GET (cache miss)", items, concurrency, retrieve));
    results.add(phase(client, "retrieve GET (cache hit)", items, concurrency, retrieve));

    double baseline = results.get(0).perSecond();
    System.out.printf(
        "%nitems=%d concurrency=%d content=%d B role=%s java=%s%n",
        items, concurrency, size, role, System.getProperty("java.version"));
    System.out.printf(
        "%-40s %8s %6s %10s %8s %8s %10s%n", "operation", "requests", "errors", "req/s", "p50 ms", "p99 ms", "vs trivial");
    for (Result r : results) {
      System.out.printf(
          "%-40s %8d %6d %10.0f %8.2f %8.2f %9.2fx%n",
          r.name(), r.requests(), r.errors(), r.perSecond(), r.percentileMillis(0.50), r.percentileMillis(0.99), r.perSecond() / baseline);
    }
    System.exit(0);
  }

  private static Result phase(
      HttpClient client, String name, int requests, int concurrency, IntFunction<HttpRequest> request)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>(requests));
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      futures.add(
          workers.submit(
              () -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> response =
                        client.send(request.apply(i), HttpResponse.BodyHandlers.ofByteArray());
                    if (response.statusCode() >= 300) {
                      if (errors.incrementAndGet() == 1) {
                        System.err.println(name + ": HTTP " + response.statusCode() + " " + new String(response.body()));
                      }
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                  latencies.add(System.nanoTime() - t0);
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    workers.shutdown();
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Result(name, requests, errors.get(), seconds, sorted);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
