package org.chorus.dht.envelope;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The signed metadata of a content envelope (DESIGN.md, namespace {@code /CHORUS/ucxl/}).
 *
 * @param address canonical UCXL address
 * @param creatorRole role of the principal that stored the content
 * @param creatorNode node id of the node that built the envelope
 * @param encryptedFor roles the ciphertext is encrypted for, creator first
 * @param contentType media type given by the creator
 * @param timestamp creation time, millisecond precision (that is what the signature covers)
 * @param size plaintext size in bytes
 * @param sha256 lower-case hex SHA-256 of the ciphertext
 * @param replicationFactor wanted number of copies
 * @param version 1 for the first store of an address, +1 for each overwrite
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
    long version) {

  public EnvelopeMetadata {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(creatorRole, "creatorRole");
    Objects.requireNonNull(creatorNode, "creatorNode");
    encryptedFor = List.copyOf(encryptedFor);
    Objects.requireNonNull(contentType, "contentType");
    timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
    Objects.requireNonNull(sha256, "sha256");
  }
}
