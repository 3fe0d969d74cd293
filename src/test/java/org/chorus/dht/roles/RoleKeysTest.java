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

  @Test
  void eachHeldIdentityGivesADeterministicSigningKeyAndRolesYamlPublishesTheOthers()
      throws Exception {
    X25519Identity writer = X25519Identity.generate();
    X25519Identity reader = X25519Identity.generate();
    Files.writeString(
        dir.resolve("writer.key"), IdentityFile.format(writer, java.time.Instant.now()));
    RoleSigner readerSigner = RoleSigner.derive("reader", reader);
    String yaml = YAML + "    signer: " + readerSigner.encodedPublicKey() + "\n";

    RoleKeys keys = RoleKeys.load(dir, policy(yaml), Clock.systemUTC());
    RoleSigner signer = keys.signer("writer").orElseThrow();
    assertThat(signer.publicKey()).isEqualTo(RoleSigner.derive("writer", writer).publicKey());
    assertThat(signer.publicKey())
        .as("another label gives another key")
        .isNotEqualTo(writer.deriveKey("other label", 32));
    assertThat(keys.signerKey("writer"))
        .hasValueSatisfying(k -> assertThat(k).isEqualTo(signer.publicKey()));
    byte[] message = "decision v2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(
            org.chorus.dht.envelope.Ed25519Keys.verify(
                keys.signerKey("writer").orElseThrow(), message, signer.sign(message)))
        .isTrue();
    // not held: no signer, but the published public key verifies the role's writes
    assertThat(keys.signer("reader")).isEmpty();
    assertThat(keys.signerKey("reader"))
        .hasValueSatisfying(k -> assertThat(k).isEqualTo(readerSigner.publicKey()));
    assertThat(
            org.chorus.dht.envelope.Ed25519Keys.verify(
                keys.signerKey("reader").orElseThrow(), message, readerSigner.sign(message)))
        .isTrue();
  }

  @Test
  void aSignerThatContradictsTheHeldIdentityIsRefused() throws Exception {
    X25519Identity writer = X25519Identity.generate();
    Files.writeString(
        dir.resolve("writer.key"), IdentityFile.format(writer, java.time.Instant.now()));
    String other = RoleSigner.derive("writer", X25519Identity.generate()).encodedPublicKey();
    String yaml = YAML.replace("authority: decision", "authority: decision\n    signer: " + other);
    assertThatThrownBy(() -> RoleKeys.load(dir, policy(yaml), Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("writer")
        .hasMessageContaining("signer");
  }

  @Test
  void aMalformedSignerInRolesYamlIsRefusedNamingTheRole() {
    String yaml = YAML + "    signer: ed25519:not-a-key\n";
    assertThatThrownBy(() -> policy(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reader")
        .hasMessageContaining("signer");
  }
}
