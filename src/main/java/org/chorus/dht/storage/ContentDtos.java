package org.chorus.dht.storage;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.storage.index.ContentMetadata;
import org.chorus.dht.ucxl.UcxlAddress;

/** Request and response bodies of the content and DHT endpoints. */
final class ContentDtos {

  private ContentDtos() {}

  /**
   * Body of {@code PUT /api/v1/content}: exactly one of {@code content} (base64) and {@code text}
   * (stored as UTF-8).
   */
  record StoreRequest(
      String content,
      String text,
      @Size(max = 255, message = "at most 255 characters") String contentType) {}

  /** Metadata of one stored item. */
  record MetadataView(
      String address,
      String dhtKey,
      String creatorRole,
      String creatorNode,
      List<String> encryptedFor,
      String contentType,
      Instant timestamp,
      long size,
      String sha256,
      int replicationFactor,
      long version) {

    static MetadataView of(EnvelopeMetadata m) {
      return new MetadataView(
          m.address(),
          UcxlAddress.parse(m.address()).dhtKey(),
          m.creatorRole(),
          m.creatorNode(),
          m.encryptedFor(),
          m.contentType(),
          m.timestamp(),
          m.size(),
          m.sha256(),
          m.replicationFactor(),
          m.version());
    }

    /** From an index entry, which does not record the creator node. */
    static MetadataView of(ContentMetadata m) {
      return new MetadataView(
          m.address(),
          m.dhtKey(),
          m.creatorRole(),
          null,
          m.encryptedFor(),
          m.contentType(),
          m.createdAt(),
          m.size(),
          m.sha256(),
          m.replicationFactor(),
          m.version());
    }
  }

  /**
   * Body of a store's response ({@code 201}, or {@code 202} when the write is incomplete): the
   * metadata of {@link MetadataView} plus what the replication reached.
   */
  record StoreResponse(
      String address,
      String dhtKey,
      String creatorRole,
      String creatorNode,
      List<String> encryptedFor,
      String contentType,
      Instant timestamp,
      long size,
      String sha256,
      int replicationFactor,
      long version,
      ReplicationView replication) {

    static StoreResponse of(EnvelopeMetadata m, DhtBackend.PutResult put) {
      MetadataView v = MetadataView.of(m);
      return new StoreResponse(
          v.address(),
          v.dhtKey(),
          v.creatorRole(),
          v.creatorNode(),
          v.encryptedFor(),
          v.contentType(),
          v.timestamp(),
          v.size(),
          v.sha256(),
          v.replicationFactor(),
          v.version(),
          ReplicationView.of(put));
    }
  }

  /**
   * Copies a store reached.
   *
   * @param reached nodes that confirmed they hold the value, this node included (never more than
   *     confirmed)
   * @param target the replication factor
   * @param required copies a complete write needs: {@code min(target, reachable nodes)}
   * @param complete {@code reached >= required}; when false the response is {@code 202 Accepted}
   *     and the replication manager keeps repairing the key in the background
   */
  record ReplicationView(int reached, int target, int required, boolean complete) {
    static ReplicationView of(DhtBackend.PutResult put) {
      return new ReplicationView(
          put.replicas(), put.targetReplicas(), put.requiredReplicas(), put.complete());
    }
  }

  /** Body of {@code GET /api/v1/content}; {@code text} only when the content is valid UTF-8. */
  record ContentResponse(String address, String content, String text, MetadataView metadata) {}

  /** A list of metadata. */
  record MetadataList(int count, List<MetadataView> items) {}

  /** Result of an announce. */
  record Announced(String key, String address, boolean provided) {}

  /** Providers of a key. */
  record Providers(String key, List<DhtBackend.Provider> providers) {}

  /** {@code GET /api/v1/dht/stats} (DESIGN.md names the fields). */
  record DhtStats(
      String backend,
      String peerId,
      List<String> listenAddrs,
      String mode,
      boolean bootstrapped,
      int totalPeers,
      long totalKeys,
      int routingTableSize,
      long uptime) {}

  /** {@code GET /api/v1/dht/peers}. */
  @Schema(name = "DhtPeers")
  record Peers(int count, List<DhtBackend.ConnectedPeer> peers) {}

  /** {@code GET /api/v1/dht/routing-table}. */
  record RoutingTable(int size, List<DhtBackend.RoutingBucket> buckets) {}

  /** {@code PUT /api/v1/dht/values/{key}}. */
  record ValueStored(String key, int size, long version, ReplicationView replication) {}

  /**
   * Result of {@code DELETE /api/v1/content}: the tombstone's version and the copies it reached.
   */
  record Deleted(String address, String dhtKey, long version, ReplicationView replication) {}
}
