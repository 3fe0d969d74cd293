package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleKeysTest {

  private static final String YAML =
      """
      roles:
        writer:
          authority: decision
          canDecrypt: [writer]
        reader:
          authority: read_only
          canDecrypt: ["*"]
      """;

  @TempDir Path dir;

  private static RolePolicy policy(String yaml) {
    return new RolePolicy(RolesFile.parse(new StringReader(yaml), "test"));
  }

  @Test
  void aFirstStartGeneratesOnePrivateAgeKeygenFilePerRoleAndLaterStartsReuseThem()
      throws Exception {
    RoleKeys first = RoleKeys.load(dir, policy(YAML), Clock.systemUTC());
    assertThat(first.heldRoles()).containsExactlyInAnyOrder("writer", "reader");
    Path file = dir.resolve("writer.key");
    String text = Files.readString(file);
    assertThat(text)
        .contains("# created: ")
        .contains("# public key: age1")
        .contains("AGE-SECRET-KEY-1");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    RoleKeys second = RoleKeys.load(dir, policy(YAML), Clock.systemUTC());
    assertThat(second.recipient("writer")).isEqualTo(first.recipient("writer"));
    assertThat(Files.readString(file)).isEqualTo(text);
  }

  @Test
  void nodesStartingAtOnceOverOneEmptyDirectoryAgreeOnOneSetOfKeys() throws Exception {
    int nodes = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(nodes);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<RoleKeys>> loads = new java.util.ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        loads.add(
            pool.submit(
                () -> {
                  go.await();
                  return RoleKeys.load(dir, policy(YAML), Clock.systemUTC());
                }));
      }
      go.countDown();
      java.util.Set<String> writers = new java.util.HashSet<>();
      for (var f : loads) {
        writers.add(
            f.get(30, java.util.concurrent.TimeUnit.SECONDS)
                .recipient("writer")
                .orElseThrow()
                .toString());
      }
      assertThat(writers).hasSize(1);
      X25519Identity onDisk = (X25519Identity) IdentityFile.read(dir.resolve("writer.key")).get(0);
      assertThat(writers).containsExactly(onDisk.recipient().toString());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aNodeHoldsOnlyTheIdentitiesItWasGiven() throws Exception {
    X25519Identity writer = X25519Identity.generate();
    X25519Identity reader = X25519Identity.generate();
    Files.writeString(
        dir.resolve("writer.key"), IdentityFile.format(writer, java.time.Instant.now()));
    String yaml = YAML + "    recipient: " + reader.recipient().encode() + "\n";

    RoleKeys keys = RoleKeys.load(dir, policy(yaml), Clock.systemUTC());
    assertThat(keys.heldRoles()).containsExactly("writer");
    assertThat(keys.identity("reader")).isEmpty();
    assertThat(keys.recipient("reader")).contains(reader.recipient());
    assertThat(keys.recipient("writer")).contains(writer.recipient());
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .isEqualTo(List.of("writer.key"));
    }
  }

  @Test
  void aKeyFileThatContradictsRolesYamlIsRefused() throws Exception {
    Files.writeString(
        dir.resolve("reader.key"),
        IdentityFile.format(X25519Identity.generate(), java.time.Instant.now()));
    String yaml = YAML + "    recipient: " + X25519Identity.generate().recipient().encode() + "\n";
    assertThatThrownBy(() -> RoleKeys.load(dir, policy(yaml), Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reader");
  }
}
