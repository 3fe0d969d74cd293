package org.chorus.dht.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A bounded memory of envelope signature pairs known to be good: ones that verified, and ones this
 * node just made. An envelope is checked where it enters a node, again when it is selected against
 * the record it replaces, and again when it is served; with this memory the two Ed25519
 * verifications (about a third of a cold read's CPU) run once per envelope while it is remembered.
 *
 * <p>An entry is the SHA-256 of the role key, the node key, both signatures and the whole signing
 * input (which holds every metadata field, the ciphertext and the node key): a hit means those
 * exact bytes verified before, so forging a hit means finding a SHA-256 collision. Keys are the
 * verifying keys, never the ones an envelope claims for itself: a role key that roles.yaml no
 * longer publishes misses and verifies again (and fails). At most {@link #CAPACITY} entries (about
 * 100 bytes each), least recently used out first. Thread-safe.
 */
final class VerifiedSignatures {

  /** How many envelopes are remembered. */
  static final int CAPACITY = 16_384;

  private final Cache<ByteBuffer, Boolean> good =
      Caffeine.newBuilder().maximumSize(CAPACITY).build();

  /**
   * Whether the envelope with this {@link #key} verified (or was sealed here), still remembered.
   */
  boolean contains(ByteBuffer key) {
    return good.getIfPresent(key) != null;
  }

  /** Remembers the envelope with this {@link #key}: its two signatures are good. */
  void add(ByteBuffer key) {
    good.put(key, Boolean.TRUE);
  }

  /**
   * What a signed envelope is remembered by: the SHA-256 of its verifying keys, both signatures and
   * its signing input. Computed once per check, for {@link #contains} and then {@link #add}.
   */
  static ByteBuffer key(
      byte[] roleKey, byte[] nodeKey, byte[] input, byte[] roleSignature, byte[] nodeSignature) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    // every part but the last has a fixed length, so the concatenation is unambiguous
    sha256.update(roleKey);
    sha256.update(nodeKey);
    sha256.update(roleSignature);
    sha256.update(nodeSignature);
    sha256.update(input);
    return ByteBuffer.wrap(sha256.digest());
  }
}
