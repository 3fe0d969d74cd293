package org.chorus.dht.kad.bench;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.GetResult;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.system.TokenRegistry;
import org.chorus.dht.testing.NetworkNodes;
import org.chorus.dht.testing.RestCalls;
import org.chorus.dht.ucxl.UcxlAddress;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * PUT and GET latency on a loopback cluster of our nodes (issue 5), run by {@code
 * bench/kad-cluster.sh}. Not a test: it prints a table.
 *
 * <p>{@code dht} mode: {@code nodes} {@link Dht}s in one JVM, built as the network backend builds
 * them (persistent MVStore record and provider stores in temporary data directories, {@link
 * ChorusValidators}), all servers but the last, which runs in client mode so that it holds no copy
 * and its GETs are real lookups. Values are signed UCXL envelopes (random ciphertext of {@code
 * bytes}), each under its own address. PUT: {@code putValue} from the servers in turn; GET q=1:
 * {@code getValue} from the client node; GET q=3: from a server that is not the writer (its own
 * copy plus two remote ones).
 *
 * <p>{@code rest} mode: {@code nodes} full Spring Boot nodes on the network backend; PUT {@code
 * /api/v1/content} through node 1 (encrypts, signs, stores), GET through the last node (client
 * mode: no copy, nothing cached, so a lookup and a decryption per GET).
 *
 * <p>Args: {@code [dht|rest] [nodes=20] [ops=300] [bytes=1024] [concurrency=1,8]}.
 */
public final class KadClusterBench {

  static final Duration OP_TIMEOUT = Duration.ofSeconds(60);

  private KadClusterBench() {}

  /** One timed operation; returns whether it did what it should. */
  interface Op {
    boolean run(int i) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "dht";
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int ops = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    int bytes = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    int[] concurrency =
        Arrays.stream((args.length > 4 ? args[4] : "1,8").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    System.out.printf(
        "kad cluster bench: mode=%s nodes=%d ops=%d value=%d B, java %s, %d cpus, load %s%n",
        mode,
        nodes,
        ops,
        bytes,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    Path root = Files.createTempDirectory("kad-cluster-bench-");
    try {
      switch (mode) {
        case "dht" -> dhtBench(root, nodes, ops, bytes, concurrency);
        case "rest" -> restBench(root, nodes, ops, bytes, concurrency);
        default -> throw new IllegalArgumentException("mode must be dht or rest: " + mode);
      }
    } finally {
      deleteTree(root);
    }
    System.out.printf("load at the end %s%n", loadAverage());
    System.exit(0);
  }

  // --- Dht level

  record Node(Host host, Dht dht, MvRecordStore records, MvProviderStore providers) {
    void close() {
      dht.close();
      host.close();
      records.close();
      providers.close();
    }
  }

  static void dhtBench(Path root, int n, int ops, int bytes, int[] concurrency) throws Exception {
    Clock clock = Clock.systemUTC();
    List<Node> nodes = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        KadConfig.Mode kadMode = i == n - 1 ? KadConfig.Mode.CLIENT : KadConfig.Mode.SERVER;
        KadConfig kad = KadConfig.builder().mode(kadMode).build();
        Host host =
            Host.create(
                HostConfig.builder().ioThreads(1).limits(NetworkNodes.LIMITS).build(),
                IdentityKey.generate());
        host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
        Path dir = root.resolve("node-" + i);
        MvRecordStore records = MvRecordStore.openInDataDir(dir, clock);
        MvProviderStore providers = MvProviderStore.openInDataDir(dir, clock);
        Dht dht =
            new Dht(
                host,
                kad,
                records,
                providers,
                ChorusValidators.create(org.chorus.dht.testing.TestRoles.AUTHORITY),
                clock,
                QueryTimer.SYSTEM);
        dht.start();
        nodes.add(new Node(host, dht, records, providers));
      }
      Multiaddr boot = nodes.get(0).host().listenAddrs().get(0);
      for (Node node : nodes.subList(1, n)) {
        node.dht().bootstrap(List.of(boot)).get(20, TimeUnit.SECONDS);
      }
      CompletableFuture.allOf(
              nodes.stream().map(x -> x.dht().refresh()).toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
      System.out.printf(
          "%d nodes up (%d servers, 1 client) in %d ms; routing table sizes %s%n",
          n,
          n - 1,
          (System.nanoTime() - t0) / 1_000_000,
          nodes.stream().map(x -> x.dht().stats().routingTableSize()).toList());

      int servers = n - 1;
      Dht client = nodes.get(n - 1).dht();
      printHeader();
      int round = 0;
      for (int c : concurrency) {
        String prefix = "c" + c + "-r" + round++;
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        envelopes(prefix, ops, bytes, keys, values);
        row(
            "PUT  putValue (server i%" + servers + ")",
            c,
            ops,
            i ->
                nodes.get(i % servers).dht().putValue(keys.get(i), values.get(i)).get().accepted()
                    > 0);
        row(
            "GET  getValue q=1 (client node)",
            c,
            ops,
            i ->
                client.getValue(keys.get(i), 1).get() instanceof GetResult.Found f
                    && Arrays.equals(f.value(), values.get(i)));
        row(
            "GET  getValue q=3 (other server)",
            c,
            ops,
            i ->
                nodes.get((i + 1) % servers).dht().getValue(keys.get(i), 3).get()
                        instanceof GetResult.Found f
                    && Arrays.equals(f.value(), values.get(i)));
      }
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /** {@code ops} signed envelopes of {@code bytes} random ciphertext, each at its own address. */
  static void envelopes(String prefix, int ops, int bytes, List<byte[]> keys, List<byte[]> values) {
    EnvelopeSigner signer = ed25519Signer();
    EnvelopeCodec codec = new EnvelopeCodec(8 << 20);
    Random rnd = new Random(ops * 31L + bytes);
    for (int i = 0; i < ops; i++) {
      UcxlAddress address =
          UcxlAddress.parse("ucxl://bench/qa_engineer/kad-cluster/" + prefix + "/item-" + i);
      byte[] ciphertext = new byte[bytes];
      rnd.nextBytes(ciphertext);
      EnvelopeMetadata m =
          new EnvelopeMetadata(
              address.canonical(),
              "qa_engineer",
              EnvelopeCodec.peerIdOf(signer.publicKey()),
              List.of("qa_engineer"),
              "application/octet-stream",
              java.time.Instant.now(),
              ciphertext.length,
              EnvelopeCodec.sha256Hex(ciphertext),
              3,
              1);
      keys.add(address.dhtKey().getBytes(StandardCharsets.UTF_8));
      values.add(
          codec.encode(
              EnvelopeCodec.seal(
                  m, ciphertext, org.chorus.dht.testing.TestRoles.signer("qa_engineer"), signer)));
    }
  }

  /** A fresh in-memory Ed25519 creator key. */
  static EnvelopeSigner ed25519Signer() {
    return NetworkNodes.signer();
  }

  // --- REST level

  static final String TOKEN = "kad-cluster-bench-token";

  static void restBench(Path root, int n, int ops, int bytes, int[] concurrency) throws Exception {
    List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      Path roleKeys = root.resolve("role-keys");
      nodes.add(startNode(root, 0, n, roleKeys, null));
      NetworkDht first = (NetworkDht) nodes.get(0).getBean(DhtBackend.class);
      String boot = first.stats().listenAddrs().get(0);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<ConfigurableApplicationContext>> started = new ArrayList<>();
        for (int i = 1; i < n; i++) {
          int k = i;
          started.add(pool.submit(() -> startNode(root, k, n, roleKeys, boot)));
        }
        for (Future<ConfigurableApplicationContext> f : started) {
          nodes.add(f.get(180, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
      }
      // start need not wait for the bootstrap: wait (bounded) for every routing table to fill
      for (ConfigurableApplicationContext node : nodes.subList(1, n)) {
        NetworkDht d = (NetworkDht) node.getBean(DhtBackend.class);
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> d.stats().routingTableSize() > 0);
      }
      System.out.printf(
          "%d Spring nodes up (%d servers, 1 client) in %d ms%n",
          n, n - 1, (System.nanoTime() - t0) / 1_000_000);
      int writer = port(nodes.get(1));
      int reader = port(nodes.get(n - 1));
      byte[] content = new byte[bytes];
      new Random(7).nextBytes(content);
      String body =
          "{\"content\":\""
              + Base64.getEncoder().encodeToString(content)
              + "\",\"contentType\":\"application/octet-stream\"}";
      printHeader();
      int round = 0;
      for (int c : concurrency) {
        String prefix = "c" + c + "-r" + round++;
        row(
            "PUT  /api/v1/content (node 1)",
            c,
            ops,
            i -> send(writer, "PUT", query(prefix, i), body).statusCode() == 201);
        row(
            "GET  /api/v1/content (client node)",
            c,
            ops,
            i -> {
              HttpResponse<String> r = send(reader, "GET", query(prefix, i), null);
              return r.statusCode() == 200
                  && r.body().contains(Base64.getEncoder().encodeToString(content));
            });
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  static String query(String prefix, int i) {
    String address = "ucxl://bench/senior_architect/kad-cluster/" + prefix + "/item-" + i;
    return "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> send(int port, String method, String q, String body)
      throws IOException, InterruptedException {
    return RestCalls.send(port, TOKEN, method, q, body, OP_TIMEOUT);
  }

  static ConfigurableApplicationContext startNode(
      Path root, int i, int n, Path roleKeys, String bootstrap) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + root.resolve("node-" + i));
    args.add("--chorus.node-id=node-" + i);
    args.add("--chorus.role-keys-dir=" + roleKeys);
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    args.add("--chorus.dht.backend=network");
    args.add("--chorus.dht.mode=" + (i == n - 1 ? "client" : "server"));
    if (bootstrap != null) {
      args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    }
    args.add("--chorus.security.tokens[0].principal=bench");
    args.add("--chorus.security.tokens[0].role=senior_architect");
    args.add("--chorus.security.tokens[0].admin=true");
    args.add("--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(TOKEN));
    args.add("--spring.main.banner-mode=off");
    args.add("--logging.level.root=ERROR");
    return new SpringApplicationBuilder(ChorusDhtApplication.class)
        .run(args.toArray(String[]::new));
  }

  static int port(ConfigurableApplicationContext node) {
    return ((WebServerApplicationContext) node).getWebServer().getPort();
  }

  // --- measuring and printing

  static void printHeader() {
    System.out.printf(
        "%-36s %4s %6s %5s %9s %9s %9s %9s %9s%n",
        "operation", "conc", "ops", "fail", "p50 ms", "p90 ms", "p99 ms", "max ms", "ops/s");
  }

  /** Runs {@code op} for 0..ops-1 on {@code concurrency} threads and prints one row. */
  static void row(String name, int concurrency, int ops, Op op) throws Exception {
    long[] nanos = new long[ops];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < ops; i = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    boolean ok;
                    try {
                      ok = op.run(i);
                    } catch (Exception e) {
                      ok = false;
                    }
                    nanos[i] = System.nanoTime() - s;
                    if (!ok) {
                      failed.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : workers) {
        f.get(ops * OP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%-36s %4d %6d %5d %9.2f %9.2f %9.2f %9.2f %9.1f%n",
        name,
        concurrency,
        ops,
        failed.get(),
        pct(sorted, 50),
        pct(sorted, 90),
        pct(sorted, 99),
        sorted[sorted.length - 1] / 1e6,
        ops / seconds);
  }

  /** Nearest-rank percentile of sorted nanoseconds, in ms. */
  static double pct(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
