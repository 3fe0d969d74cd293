package org.chorus.dht.roles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.age.X25519Recipient;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.system.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of the roles: a recipient for every role we can encrypt to, an identity for the roles
 * this node holds ({@code <role-keys-dir>/<role>.key}, age-keygen format), the signing key derived
 * from each held identity ({@link RoleSigner}), and the public signing key of every role whose
 * identity is held or whose {@code signer} roles.yaml publishes.
 *
 * <p>A node holds identities only for the roles whose key files it was given, so it can decrypt
 * only for those. On a first start with no key files at all, one identity per role is generated
 * (the embedded single-node default; production mounts shared keys instead). Immutable after
 * loading, thread-safe.
 */
public final class RoleKeys {

  private static final Logger log = LoggerFactory.getLogger(RoleKeys.class);

  /** Suffix of an identity file. */
  public static final String KEY_SUFFIX = ".key";

  private final Path dir;
  private final Map<String, X25519Identity> identities;
  private final Map<String, X25519Recipient> recipients;
  private final Map<String, RoleSigner> signers;
  private final Map<String, byte[]> signerKeys;

  private RoleKeys(
      Path dir,
      Map<String, X25519Identity> identities,
      Map<String, X25519Recipient> recipients,
      Map<String, RoleSigner> signers,
      Map<String, byte[]> signerKeys) {
    this.dir = dir;
    this.identities = Map.copyOf(identities);
    this.recipients = Map.copyOf(recipients);
    this.signers = Map.copyOf(signers);
    this.signerKeys = Map.copyOf(signerKeys);
  }

  /**
   * Loads the identity files of {@code dir}, generating one per role first when the directory has
   * none.
   *
   * @throws IOException if a file cannot be read or written
   * @throws IllegalStateException if a key file and roles.yaml disagree on a role's recipient or
   *     signer
   */
  public static RoleKeys load(Path dir, RolePolicy policy, Clock clock) throws IOException {
    Files.createDirectories(dir);
    if (!hasKeyFiles(dir)) {
      generateOnce(dir, policy, clock);
    }
    Map<String, X25519Identity> identities = new LinkedHashMap<>();
    Map<String, X25519Recipient> recipients = new LinkedHashMap<>();
    Map<String, RoleSigner> signers = new LinkedHashMap<>();
    Map<String, byte[]> signerKeys = new LinkedHashMap<>();
    for (RoleDefinition role : policy.roles()) {
      Path file = dir.resolve(role.name() + KEY_SUFFIX);
      Optional<X25519Recipient> configured = role.recipient().map(X25519Recipient::parse);
      Optional<byte[]> configuredSigner = role.signer().map(Ed25519Keys::decodePublic);
      if (Files.isRegularFile(file)) {
        X25519Identity id = readIdentity(file);
        identities.put(role.name(), id);
        if (configured.isPresent() && !configured.get().equals(id.recipient())) {
          throw new IllegalStateException(
              "role '"
                  + role.name()
                  + "': recipient in roles.yaml does not match the identity in "
                  + file);
        }
        recipients.put(role.name(), id.recipient());
        RoleSigner signer = RoleSigner.derive(role.name(), id);
        if (configuredSigner.isPresent()
            && !Ed25519Keys.sameKey(configuredSigner.get(), signer.publicKey())) {
          throw new IllegalStateException(
              "role '"
                  + role.name()
                  + "': signer in roles.yaml does not match the identity in "
                  + file
                  + " (its signer is "
                  + signer.encodedPublicKey()
                  + ")");
        }
        signers.put(role.name(), signer);
        signerKeys.put(role.name(), signer.publicKey());
      } else {
        configured.ifPresent(r -> recipients.put(role.name(), r));
        configuredSigner.ifPresent(k -> signerKeys.put(role.name(), k));
      }
    }
    log.info("Role identities held for {} (from {})", identities.keySet(), dir.toAbsolutePath());
    List<String> unreachable =
        policy.roles().stream()
            .map(RoleDefinition::name)
            .filter(r -> !recipients.containsKey(r))
            .toList();
    if (!unreachable.isEmpty()) {
      log.warn("No age recipient for roles {}: content is not encrypted for them", unreachable);
    }
    return new RoleKeys(dir, identities, recipients, signers, signerKeys);
  }

  /**
   * Generates one identity per role, under an exclusive lock on {@code <dir>/.generate.lock}, so
   * nodes started at the same moment over one shared directory (a local cluster) agree on one set
   * of keys: the first generates, the others find its files once they get the lock.
   */
  private static void generateOnce(Path dir, RolePolicy policy, Clock clock) throws IOException {
    synchronized (RoleKeys.class) { // a file lock is per JVM: threads of one JVM queue here
      generateLocked(dir, policy, clock);
    }
  }

  private static void generateLocked(Path dir, RolePolicy policy, Clock clock) throws IOException {
    try (FileChannel lock =
            FileChannel.open(
                dir.resolve(".generate.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock held = lock.lock()) {
      if (hasKeyFiles(dir)) {
        return; // another node generated them while we waited
      }
      for (RoleDefinition role : policy.roles()) {
        X25519Identity id = X25519Identity.generate();
        SecureFiles.writePrivate(
            dir.resolve(role.name() + KEY_SUFFIX),
            IdentityFile.format(id, clock.instant()).getBytes(StandardCharsets.UTF_8));
      }
      log.info(
          "Generated age identities for roles {} in {}",
          policy.roles().stream().map(RoleDefinition::name).toList(),
          dir.toAbsolutePath());
    }
  }

  private static boolean hasKeyFiles(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(KEY_SUFFIX));
    }
  }

  private static X25519Identity readIdentity(Path file) throws IOException {
    List<Identity> ids = IdentityFile.read(file);
    if (ids.size() != 1 || !(ids.get(0) instanceof X25519Identity x)) {
      throw new IOException(
          "failed to read " + file + ": expected exactly one AGE-SECRET-KEY-1 identity");
    }
    return x;
  }

  /** The identity of {@code role}, when this node holds it. */
  public Optional<Identity> identity(String role) {
    return Optional.ofNullable(identities.get(role));
  }

  /** The recipient of {@code role}, when known. */
  public Optional<X25519Recipient> recipient(String role) {
    return Optional.ofNullable(recipients.get(role));
  }

  /**
   * The signing key of {@code role}, when this node holds its identity (see {@link RoleSigner}).
   */
  public Optional<RoleSigner> signer(String role) {
    return Optional.ofNullable(signers.get(role));
  }

  /**
   * The public signing key of {@code role}: derived from its identity when held, else the {@code
   * signer} of roles.yaml; empty when neither (this node then cannot verify the role's writes).
   */
  public Optional<byte[]> signerKey(String role) {
    byte[] k = signerKeys.get(role);
    return k == null ? Optional.empty() : Optional.of(k.clone());
  }

  /** Roles whose identity this node holds. */
  public Set<String> heldRoles() {
    return identities.keySet();
  }

  /** The identity file of {@code role}. */
  public Path keyFile(String role) {
    return dir.resolve(role + KEY_SUFFIX);
  }
}
