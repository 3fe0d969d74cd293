package org.chorus.dht.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.envelope.WriteAuthority;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.roles.RoleDefinition;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.roles.RoleSigner;
import org.chorus.dht.roles.RolesFile;

/**
 * The built-in roles (config/roles.yaml) with one age identity each, generated once per test JVM,
 * their signing keys, and the {@link WriteAuthority} over them that the validators of test nodes
 * use: the same rules as {@code roles.RoleAuthority}, without a role-keys directory.
 */
public final class TestRoles {

  /** The built-in role policy. */
  public static final RolePolicy POLICY = policy();

  private static final Map<String, X25519Identity> IDENTITIES = new ConcurrentHashMap<>();

  /** Refusals and signing keys of the built-in roles. */
  public static final WriteAuthority AUTHORITY = authority(POLICY);

  private TestRoles() {}

  private static RolePolicy policy() {
    try {
      return new RolePolicy(RolesFile.readOrBuiltIn(Path.of("config/roles.yaml")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The test identity of {@code role} (the same for the whole JVM). */
  public static X25519Identity identity(String role) {
    return IDENTITIES.computeIfAbsent(role, r -> X25519Identity.generate());
  }

  /** The signing key of {@code role}, derived from its test identity. */
  public static RoleSigner signer(String role) {
    return RoleSigner.derive(role, identity(role));
  }

  /** The write rules of {@code policy} with the test signing keys. */
  public static WriteAuthority authority(RolePolicy policy) {
    return new WriteAuthority() {
      @Override
      public Optional<String> refusal(String creatorRole, String addressRole) {
        Optional<RoleDefinition> role = policy.find(creatorRole);
        if (role.isEmpty()) {
          return Optional.of("unknown role '" + creatorRole + "'");
        }
        if (!role.get().writes(addressRole)) {
          return Optional.of(
              "role '" + creatorRole + "' may not write the addresses of '" + addressRole + "'");
        }
        return Optional.empty();
      }

      @Override
      public Optional<byte[]> signerKey(String role) {
        return policy.find(role).map(r -> signer(role).publicKey());
      }
    };
  }

  /** A node's envelope signer: its identity key. */
  public static EnvelopeSigner node(IdentityKey key) {
    return new EnvelopeSigner() {
      @Override
      public byte[] publicKey() {
        return key.publicKey();
      }

      @Override
      public byte[] sign(byte[] message) {
        return key.sign(message);
      }
    };
  }
}
