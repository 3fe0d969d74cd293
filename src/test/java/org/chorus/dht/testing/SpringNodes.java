package org.chorus.dht.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.system.TokenRegistry;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Full Spring nodes on the network backend for the multi-node tests: each on a random HTTP port and
 * a loopback libp2p port, with its own data directory, shared role keys and one API token.
 */
public final class SpringNodes {

  /** The one API caller every node of a test cluster accepts. */
  public record Caller(String principal, String role, boolean admin, String token) {}

  private SpringNodes() {}

  /**
   * Command-line arguments for node {@code n} under {@code root} (data in {@code root/node-<n>},
   * node id {@code node-<n>}), on the network backend, bootstrapping from {@code bootstrap} when it
   * is not null; add more before {@link #start(List)}.
   */
  public static List<String> networkArgs(
      Path root, int n, Path roleKeys, String bootstrap, Caller caller) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--chorus.data-dir=" + root.resolve("node-" + n));
    args.add("--chorus.node-id=node-" + n);
    args.add("--chorus.role-keys-dir=" + roleKeys);
    args.add("--chorus.dht.listen=/ip4/127.0.0.1/tcp/0");
    args.add("--chorus.dht.backend=network");
    // every node of a test cluster dials from 127.0.0.1: the per-IP inbound cap (8) would refuse
    // the ninth
    args.add("--chorus.dht.limits.max-inbound-per-ip=64");
    if (bootstrap != null) {
      args.add("--chorus.dht.bootstrap-peers=" + bootstrap);
    }
    args.add("--chorus.security.tokens[0].principal=" + caller.principal());
    args.add("--chorus.security.tokens[0].role=" + caller.role());
    if (caller.admin()) {
      args.add("--chorus.security.tokens[0].admin=true");
    }
    args.add("--chorus.security.tokens[0].sha256=" + TokenRegistry.sha256Hex(caller.token()));
    return args;
  }

  /** Starts the application with {@code args}. */
  public static ConfigurableApplicationContext start(List<String> args) {
    return new SpringApplicationBuilder(ChorusDhtApplication.class)
        .run(args.toArray(String[]::new));
  }

  /**
   * Closes {@code nodes} last first (a node's peers outlive it, as in a rolling stop) and deletes
   * {@code root} when it is not null.
   */
  public static void stopAll(List<ConfigurableApplicationContext> nodes, Path root)
      throws IOException {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    if (root != null) {
      try (var paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The node's backend, which must be the network one. */
  public static NetworkDht network(ConfigurableApplicationContext node) {
    DhtBackend backend = node.getBean(DhtBackend.class);
    if (!(backend instanceof NetworkDht network)) {
      throw new AssertionError(
          "backend is " + backend.getClass().getSimpleName() + ", not network");
    }
    return network;
  }
}
