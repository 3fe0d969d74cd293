package org.chorus.dht.roles;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * The DHT keys of roles and capabilities (DESIGN.md "Kademlia"): a node that has a role or a
 * capability is a provider of the CID (v1, codec raw, sha2-256) of the string {@code
 * CHORUS:role:<name>} or {@code CHORUS:capability:<name>}.
 *
 * <p>The backends take the string itself as the key: the network backend announces under the
 * sha2-256 multihash of the key bytes ({@code Dht.providerKey}), which is exactly the multihash
 * inside that CID, so libp2p peers that look the CID up find us; the local backend keeps the string
 * as it is. {@link #cid} gives the CID bytes for documentation and tests. Names are bounded and
 * restricted to a safe alphabet ({@link #NAME}). Stateless.
 */
public final class DiscoveryKeys {

  /** Prefix of a role's key string. */
  public static final String ROLE_PREFIX = "CHORUS:role:";

  /** Prefix of a capability's key string. */
  public static final String CAPABILITY_PREFIX = "CHORUS:capability:";

  /** Named cap: characters of a role or capability name. */
  public static final int MAX_NAME_LENGTH = 64;

  /**
   * Allowed role and capability names: a letter or digit, then letters, digits and {@code . _ + #
   * -} (e.g. {@code backend_developer}, {@code go}, {@code c++}), at most {@link #MAX_NAME_LENGTH}.
   */
  public static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+#-]{0," + (MAX_NAME_LENGTH - 1) + "}");

  /** CID version 1. */
  public static final int CID_VERSION = 0x01;

  /** Multicodec {@code raw}. */
  public static final int CODEC_RAW = 0x55;

  /** Multihash function code of sha2-256, and its digest length. */
  public static final int SHA2_256 = 0x12;

  private static final int SHA2_256_LENGTH = 0x20;

  private DiscoveryKeys() {}

  /** {@code CHORUS:role:<name>}. */
  public static String role(String name) {
    return ROLE_PREFIX + name;
  }

  /** {@code CHORUS:capability:<name>}. */
  public static String capability(String name) {
    return CAPABILITY_PREFIX + name;
  }

  /** Whether {@code name} is an acceptable role or capability name. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The binary CIDv1 (raw, sha2-256) of a key string: {@code 01 55 12 20 || sha256(utf8(key))}. */
  public static byte[] cid(String key) {
    return ByteBuffer.allocate(4 + SHA2_256_LENGTH)
        .put((byte) CID_VERSION)
        .put((byte) CODEC_RAW)
        .put((byte) SHA2_256)
        .put((byte) SHA2_256_LENGTH)
        .put(sha256(key.getBytes(StandardCharsets.UTF_8)))
        .array();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
