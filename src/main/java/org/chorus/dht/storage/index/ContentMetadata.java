package org.chorus.dht.storage.index;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.chorus.dht.ucxl.UcxlAddress;

/**
 * What the node knows about one stored piece of content, without the content: the index entry
 * behind search and listing, and the metadata part of a content envelope.
 *
 * @param address canonical UCXL address (the index key)
 * @param agent address segment
 * @param role address segment (not necessarily the creator's role)
 * @param project address segment
 * @param task address segment
 * @param path address path, segments joined by {@code /}
 * @param creatorRole role of the principal that stored it
 * @param contentType media type given at store time
 * @param createdAt when it was stored
 * @param size plaintext size in bytes
 * @param sha256 lower-case hex SHA-256 of the ciphertext
 * @param encryptedFor roles that can decrypt it
 * @param replicationFactor target number of copies
 * @param version content version, increasing per address
 * @param dhtKey {@code /CHORUS/ucxl/...} key of the record
 */
public record ContentMetadata(
    String address,
    String agent,
    String role,
    String project,
    String task,
    String path,
    String creatorRole,
    String contentType,
    Instant createdAt,
    long size,
    String sha256,
    List<String> encryptedFor,
    int replicationFactor,
    long version,
    String dhtKey) {

  public ContentMetadata {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(creatorRole, "creatorRole");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(dhtKey, "dhtKey");
    encryptedFor = List.copyOf(encryptedFor);
  }

  /** Metadata for {@code address}, with the address parts and DHT key taken from it. */
  public static ContentMetadata of(
      UcxlAddress address,
      String creatorRole,
      String contentType,
      Instant createdAt,
      long size,
      String sha256,
      List<String> encryptedFor,
      int replicationFactor,
      long version) {
    return new ContentMetadata(
        address.canonical(),
        address.agent(),
        address.role(),
        address.project(),
        address.task(),
        address.path(),
        creatorRole,
        contentType,
        createdAt,
        size,
        sha256,
        encryptedFor,
        replicationFactor,
        version,
        address.dhtKey());
  }
}
