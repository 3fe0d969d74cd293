package org.chorus.dht.envelope;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The signed metadata of a content envelope (ARCHITECTURE.md, "Write authority").
 *
 * @param address canonical UCXL address
 * @param creatorRole role whose signing key signs the envelope: the address's role segment, or a
 *     role with admin authority
 * @param creatorNode peer id of the node that wrote the envelope (its key signs the envelope too)
 * @param encryptedFor roles the ciphertext is encrypted for, creator first (empty for a tombstone)
 * @param contentType media type given by the creator
 * @param timestamp creation time, millisecond precision (informational: never used to order
 *     versions)
 * @param size plaintext size in bytes (0 for a tombstone)
 * @param sha256 lower-case hex SHA-256 of the ciphertext
 * @param replicationFactor wanted number of copies
 * @param version 1 for the first store of an address, one more than the version it replaces for
 *     each later store or delete
 * @param deleted whether this is a tombstone: the address was deleted at this version (no
 *     ciphertext)
 */
public record EnvelopeMetadata(
    String address,
    String creatorRole,
    String creatorNode,
    List<String> encryptedFor,
    String contentType,
    Instant timestamp,
    long size,
    String sha256,
    int replicationFactor,
    long version,
    boolean deleted) {

  public EnvelopeMetadata {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(creatorRole, "creatorRole");
    Objects.requireNonNull(creatorNode, "creatorNode");
    encryptedFor = List.copyOf(encryptedFor);
    Objects.requireNonNull(contentType, "contentType");
    timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Content metadata (not a tombstone). */
  public EnvelopeMetadata(
      String address,
      String creatorRole,
      String creatorNode,
      List<String> encryptedFor,
      String contentType,
      Instant timestamp,
      long size,
      String sha256,
      int replicationFactor,
      long version) {
    this(
        address,
        creatorRole,
        creatorNode,
        encryptedFor,
        contentType,
        timestamp,
        size,
        sha256,
        replicationFactor,
        version,
        false);
  }

  /** The same metadata at another version. */
  public EnvelopeMetadata withVersion(long newVersion) {
    return new EnvelopeMetadata(
        address,
        creatorRole,
        creatorNode,
        encryptedFor,
        contentType,
        timestamp,
        size,
        sha256,
        replicationFactor,
        newVersion,
        deleted);
  }
}
