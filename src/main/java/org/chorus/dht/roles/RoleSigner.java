package org.chorus.dht.roles;

import java.util.Objects;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.envelope.Ed25519Keys;
import org.chorus.dht.envelope.EnvelopeSigner;

/**
 * A role's Ed25519 signing key, derived from the role's age identity: the 32-byte seed is
 * HKDF-SHA-256 of the identity's X25519 secret key with the label {@value #DERIVATION_INFO} (empty
 * salt). So the {@code <role>.key} files a node already holds are all it needs: whoever can decrypt
 * for a role can sign for it, and a node that holds no identity for a role verifies its writes
 * against the public key roles.yaml publishes ({@code signer}). Immutable and thread-safe.
 */
public final class RoleSigner implements EnvelopeSigner {

  /** The HKDF label; changing it changes every role's signing key. */
  public static final String DERIVATION_INFO = "chorus-dht role signing key v1";

  private final String role;
  private final byte[] seed;
  private final byte[] publicKey;

  private RoleSigner(String role, byte[] seed) {
    this.role = Objects.requireNonNull(role, "role");
    this.seed = seed;
    this.publicKey = Ed25519Keys.publicKey(seed);
  }

  /** The signing key of {@code role} derived from its age identity. */
  public static RoleSigner derive(String role, X25519Identity identity) {
    return new RoleSigner(role, identity.deriveKey(DERIVATION_INFO, Ed25519Keys.KEY_BYTES));
  }

  public String role() {
    return role;
  }

  /** The raw 32-byte public key. */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** {@code ed25519:<base64url>}, the form of roles.yaml's {@code signer}. */
  public String encodedPublicKey() {
    return Ed25519Keys.encodePublic(publicKey);
  }

  @Override
  public byte[] sign(byte[] message) {
    return Ed25519Keys.sign(seed, publicKey, message);
  }

  @Override
  public String toString() {
    return "RoleSigner[" + role + " " + encodedPublicKey() + "]";
  }
}
