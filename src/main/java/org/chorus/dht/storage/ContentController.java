package org.chorus.dht.storage;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.replication.ReplicationManager;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.storage.ContentDtos.Announced;
import org.chorus.dht.storage.ContentDtos.ContentResponse;
import org.chorus.dht.storage.ContentDtos.MetadataList;
import org.chorus.dht.storage.ContentDtos.MetadataView;
import org.chorus.dht.storage.ContentDtos.Providers;
import org.chorus.dht.storage.ContentDtos.StoreRequest;
import org.chorus.dht.storage.ContentDtos.StoreResponse;
import org.chorus.dht.storage.index.ContentMetadata;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.chorus.dht.ucxl.UcxlAddress;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/content}: store, retrieve, delete, metadata, search, list by role, announce.
 * Optimistic concurrency: a read answers {@code ETag: "<version>"}; a store with {@code If-Match:
 * "<version>"} answers 412 (with the current version) unless that is still the current version,
 * {@code If-None-Match: *} only creates; without a precondition a store is last-writer-wins at the
 * next version.
 */
@RestController
@RequestMapping("/api/v1/content")
@Tag(name = "content", description = "UCXL content: store, retrieve, metadata, search, announce")
class ContentController {

  private final EncryptedStorage storage;
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ContentController.class);

  private final DhtBackend backend;
  private final ReplicationManager replication;
  private final RolePolicy policy;

  private final DataStore dataStore;

  ContentController(
      EncryptedStorage storage,
      DhtBackend backend,
      ReplicationManager replication,
      RolePolicy policy,
      DataStore dataStore) {
    this.storage = storage;
    this.backend = backend;
    this.replication = replication;
    this.policy = policy;
    this.dataStore = dataStore;
  }

  /** {@code "<version>"}: the entity tag of a version of an address. */
  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /**
   * The precondition of {@code If-Match: "<version>"} (quotes optional, weak tags accepted) and
   * {@code If-None-Match: *}.
   */
  static EncryptedStorage.Precondition precondition(String ifMatch, String ifNoneMatch) {
    Long version = null;
    if (ifMatch != null && !ifMatch.isBlank()) {
      String v = ifMatch.trim();
      if (v.startsWith("W/")) {
        v = v.substring(2);
      }
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      try {
        version = Long.parseLong(v);
      } catch (NumberFormatException e) {
        version = -1L;
      }
      if (version < 0) {
        throw ApiException.badRequest(
            "If-Match", "If-Match must be one version tag such as \"3\", got " + ifMatch);
      }
    }
    boolean createOnly = false;
    if (ifNoneMatch != null && !ifNoneMatch.isBlank()) {
      if (!ifNoneMatch.trim().equals("*")) {
        throw ApiException.badRequest(
            "If-None-Match", "If-None-Match supports only * (create only), got " + ifNoneMatch);
      }
      createOnly = true;
    }
    if (version != null && createOnly) {
      throw ApiException.badRequest("If-None-Match", "give If-Match or If-None-Match, not both");
    }
    return new EncryptedStorage.Precondition(version, createOnly);
  }

  /**
   * Registers a stored key with the replication manager; a failure fails the request (the record is
   * stored, but a key that is not tracked is never republished or repaired, so the write is not
   * acknowledged).
   */
  private void track(String key, Runnable register) {
    try {
      register.run();
    } catch (RuntimeException e) {
      log.error("stored {} but could not track its replication: {}", key, e.toString());
      throw new ApiException(
              503,
              "replication-untracked",
              "Stored but not tracked",
              "the record under "
                  + key
                  + " is stored on this node but could not be registered for replication ("
                  + e.getMessage()
                  + "); it is not acknowledged: store it again")
          .with("key", key);
    }
  }

  /**
   * Stores; answers once the record is durable locally and the backend's replication attempt is
   * over. The value, its index entry, its replication state and its audit line are made durable by
   * one group commit of the data store (one unit of work). {@code 201 Created} when at least {@code
   * min(factor, reachable nodes)} copies were confirmed, else {@code 202 Accepted} (the record is
   * stored and tracked, the replication manager keeps repairing it); either way the body's {@code
   * replication} says how many copies were reached, never more than were confirmed. The key is
   * registered with the replication manager.
   */
  @PutMapping
  @Operation(operationId = "storeContent", summary = "Encrypt and store content at an address")
  @ApiResponse(
      responseCode = "201",
      description = "Stored; the copies a complete write requires were reached",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "202",
      description = "Stored, replication incomplete: `replication` says how far it got",
      useReturnTypeSchema = true)
  @ProblemResponses({400, 403, 412, 413, 503, 507})
  ResponseEntity<StoreResponse> store(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @RequestParam String address,
      @RequestHeader(value = "If-Match", required = false) String ifMatch,
      @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch,
      @Valid @RequestBody StoreRequest request) {
    EncryptedStorage.Precondition precondition = precondition(ifMatch, ifNoneMatch);
    byte[] content = contentOf(request);
    EncryptedStorage.Stored stored =
        dataStore.durably(
            () -> {
              EncryptedStorage.Stored s =
                  storage.storeReplicated(
                      caller, address, content, request.contentType(), precondition);
              String key = UcxlAddress.parse(s.metadata().address()).dhtKey();
              track(key, () -> replication.addContent(key, s.replication()));
              return s;
            });
    EnvelopeMetadata metadata = stored.metadata();
    URI location =
        URI.create(
            "/api/v1/content?address="
                + java.net.URLEncoder.encode(metadata.address(), StandardCharsets.UTF_8));
    StoreResponse body = StoreResponse.of(metadata, stored.replication());
    ResponseEntity.BodyBuilder response =
        stored.replication().complete()
            ? ResponseEntity.created(location)
            : ResponseEntity.accepted().location(location);
    return response.eTag(etag(metadata.version())).body(body);
  }

  /**
   * Deletes: a signed tombstone at the next version ({@code If-Match} supported). Every node then
   * answers 404 {@code content-deleted} for the address and search leaves it out; the tombstone is
   * republished for {@code chorus.storage.tombstone-ttl}, then forgotten.
   */
  @DeleteMapping
  @Operation(operationId = "deleteContent", summary = "Delete the content at an address")
  @ProblemResponses({400, 403, 404, 412, 503, 507})
  ResponseEntity<ContentDtos.Deleted> delete(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @RequestParam String address,
      @RequestHeader(value = "If-Match", required = false) String ifMatch) {
    EncryptedStorage.Stored deleted =
        dataStore.durably(
            () -> {
              EncryptedStorage.Stored d =
                  storage.delete(caller, address, precondition(ifMatch, null));
              String k = UcxlAddress.parse(d.metadata().address()).dhtKey();
              track(
                  k,
                  () ->
                      replication.addTombstone(
                          k, d.replication(), storage.tombstoneForgetAt(d.metadata().timestamp())));
              return d;
            });
    EnvelopeMetadata m = deleted.metadata();
    String key = UcxlAddress.parse(m.address()).dhtKey();
    return ResponseEntity.ok()
        .eTag(etag(m.version()))
        .body(
            new ContentDtos.Deleted(
                m.address(),
                key,
                m.version(),
                ContentDtos.ReplicationView.of(deleted.replication())));
  }

  private static byte[] contentOf(StoreRequest request) {
    if (request.content() != null && request.text() != null) {
      throw ApiException.badRequest(
          "content", "give either 'content' (base64) or 'text', not both");
    }
    if (request.text() != null) {
      return request.text().getBytes(StandardCharsets.UTF_8);
    }
    if (request.content() == null) {
      throw ApiException.badRequest("content", "'content' (base64) or 'text' is required");
    }
    try {
      return Base64.getMimeDecoder().decode(request.content());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("content", "'content' is not valid base64: " + e.getMessage());
    }
  }

  @GetMapping
  @Operation(operationId = "getContent", summary = "Retrieve and decrypt the content at an address")
  @ProblemResponses({400, 403, 404})
  ResponseEntity<ContentResponse> retrieve(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestParam String address) {
    RetrievedContent found = storage.retrieve(caller, address);
    return ResponseEntity.ok()
        .eTag(etag(found.metadata().version()))
        .body(
            new ContentResponse(
                found.metadata().address(),
                Base64.getEncoder().encodeToString(found.content()),
                utf8OrNull(found.content()),
                MetadataView.of(found.metadata())));
  }

  private static String utf8OrNull(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  @GetMapping("/metadata")
  @Operation(operationId = "getContentMetadata", summary = "Metadata of an address (no decryption)")
  @ProblemResponses({400, 404})
  ResponseEntity<MetadataView> metadata(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestParam String address) {
    EnvelopeMetadata m = storage.metadata(caller, address);
    return ResponseEntity.ok().eTag(etag(m.version())).body(MetadataView.of(m));
  }

  @GetMapping("/search")
  @Operation(operationId = "searchContent", summary = "Metadata matching every given filter")
  @ProblemResponses(400)
  MetadataList search(
      @RequestParam(required = false) String agent,
      @RequestParam(required = false) String role,
      @RequestParam(required = false) String project,
      @RequestParam(required = false) String task,
      @RequestParam(required = false) String contentType,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
          Instant createdAfter,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
          Instant createdBefore,
      @RequestParam(required = false) Integer limit) {
    return list(
        storage.search(
            new ContentQuery(
                agent, role, project, task, contentType, createdAfter, createdBefore, limit)));
  }

  @GetMapping("/by-role/{role}")
  @Operation(operationId = "listContentByRole", summary = "Metadata of content a role created")
  @ProblemResponses(400)
  MetadataList byRole(@PathVariable String role, @RequestParam(required = false) Integer limit) {
    return list(storage.byRole(role, limit));
  }

  private static MetadataList list(List<ContentMetadata> items) {
    return new MetadataList(items.size(), items.stream().map(MetadataView::of).toList());
  }

  @PostMapping("/announce")
  @Operation(operationId = "announceContent", summary = "Provide an address on the DHT")
  @ProblemResponses({400, 403})
  Announced announce(
      @AuthenticationPrincipal ChorusPrincipal caller, @RequestParam String address) {
    policy.requireWriter(caller.role(), "announce");
    UcxlAddress ucxl = UcxlAddress.parse(address);
    backend.provide(ucxl.dhtKey());
    return new Announced(ucxl.dhtKey(), ucxl.canonical(), true);
  }

  @GetMapping("/providers")
  @Operation(operationId = "findContentProviders", summary = "Peers providing an address")
  @ProblemResponses(400)
  Providers providers(
      @RequestParam String address,
      @RequestParam(defaultValue = "10") @Min(1) @Max(100) int count) {
    String key = UcxlAddress.parse(address).dhtKey();
    return new Providers(key, backend.findProviders(key, count));
  }
}
