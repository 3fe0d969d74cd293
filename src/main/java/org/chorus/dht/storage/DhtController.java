package org.chorus.dht.storage;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.DhtBackend.BackendStats;
import org.chorus.dht.replication.ReplicationManager;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.storage.ContentDtos.DhtStats;
import org.chorus.dht.storage.ContentDtos.Peers;
import org.chorus.dht.storage.ContentDtos.Providers;
import org.chorus.dht.storage.ContentDtos.RoutingTable;
import org.chorus.dht.storage.ContentDtos.ValueStored;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ProblemResponses;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/dht}: raw record values, providers and node state.
 *
 * <p>A key is one URL-encoded path segment ({@code %2FCHORUS%2Fucxl%2F...}) or, unencoded, the rest
 * of the path ({@code /api/v1/dht/values/CHORUS/ucxl/...}); both mean {@code /CHORUS/ucxl/...}.
 */
@RestController
@RequestMapping("/api/v1/dht")
@Tag(name = "dht", description = "Raw DHT record values, providers and node state")
class DhtController {

  static final String KEY_DOC =
      "The DHT key, e.g. /CHORUS/ucxl/<id>: one URL-encoded path segment, or the rest of the path";

  private final EncryptedStorage storage;
  private final DhtBackend backend;
  private final ReplicationManager replication;
  private final RolePolicy policy;

  private final DataStore dataStore;

  DhtController(
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

  private void track(String key, EncryptedStorage.Stored stored) {
    try {
      if (stored.metadata().deleted()) {
        replication.addTombstone(
            key, stored.replication(), storage.tombstoneForgetAt(stored.metadata().timestamp()));
      } else {
        replication.addContent(key, stored.replication());
      }
    } catch (RuntimeException e) {
      throw new ApiException(
              503,
              "replication-untracked",
              "Stored but not tracked",
              "the value under " + key + " is stored but could not be tracked: " + e.getMessage())
          .with("key", key);
    }
  }

  /** Turns the captured rest of the path into a key with exactly one leading '/'. */
  static String key(String captured) {
    String key = captured.startsWith("/") ? captured.substring(1) : captured;
    if (key.isEmpty()) {
      throw ApiException.badRequest("key", "the DHT key is missing");
    }
    return key.startsWith("/") ? key : "/" + key;
  }

  @GetMapping(value = "/values/{*key}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  @Operation(operationId = "getDhtValue", summary = "The raw record value under a key")
  @ProblemResponses({400, 404})
  byte[] getValue(@PathVariable("key") @Parameter(description = KEY_DOC) String captured) {
    String key = key(captured);
    return storage
        .getRawValue(key)
        .orElseThrow(() -> ApiException.notFound("value-not-found", "no value under " + key));
  }

  /** Audited as {@code put_value} with the caller (by {@link EncryptedStorage#putRawValue}). */
  @PutMapping(value = "/values/{*key}", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      operationId = "putDhtValue",
      summary = "Store a raw, validated content envelope (admin); tracked like stored content")
  @ProblemResponses({400, 403, 409, 413, 503, 507})
  ValueStored putValue(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @PathVariable("key") @Parameter(description = KEY_DOC) String captured,
      @RequestBody byte[] value) {
    String key = key(captured);
    EncryptedStorage.Stored stored =
        dataStore.durably(
            () -> {
              EncryptedStorage.Stored s = storage.putRawValue(caller, key, value);
              track(key, s);
              return s;
            });
    return new ValueStored(
        key,
        value.length,
        stored.metadata().version(),
        ContentDtos.ReplicationView.of(stored.replication()));
  }

  @PostMapping("/providers/{*key}")
  @Operation(operationId = "provideDhtKey", summary = "Provide a key; returns its providers")
  @ProblemResponses({400, 403})
  ResponseEntity<Providers> provide(
      @AuthenticationPrincipal ChorusPrincipal caller,
      @PathVariable("key") @Parameter(description = KEY_DOC) String captured) {
    policy.requireWriter(caller.role(), "provide");
    String key = key(captured);
    backend.provide(key);
    return ResponseEntity.ok(new Providers(key, backend.findProviders(key, 20)));
  }

  @GetMapping("/providers/{*key}")
  @Operation(operationId = "findDhtProviders", summary = "Providers of a key")
  @ProblemResponses(400)
  Providers providers(
      @PathVariable("key") @Parameter(description = KEY_DOC) String captured,
      @RequestParam(defaultValue = "10") @Min(1) @Max(100) int count) {
    String key = key(captured);
    return new Providers(key, backend.findProviders(key, count));
  }

  @GetMapping("/stats")
  @Operation(operationId = "getDhtStats", summary = "Node state: peer id, mode, peers, keys")
  DhtStats stats() {
    BackendStats s = backend.stats();
    return new DhtStats(
        s.backend(),
        s.peerId(),
        s.listenAddrs(),
        s.mode(),
        s.bootstrapped(),
        s.totalPeers(),
        s.totalKeys(),
        s.routingTableSize(),
        s.uptimeSeconds());
  }

  /** Connected peers; always empty on the embedded single-node backend. */
  @GetMapping("/peers")
  @Operation(operationId = "getDhtPeers", summary = "Connected peers")
  Peers peers() {
    List<DhtBackend.ConnectedPeer> peers = backend.peers();
    return new Peers(peers.size(), peers);
  }

  /** Routing table buckets; always empty on the embedded single-node backend. */
  @GetMapping("/routing-table")
  @Operation(operationId = "getRoutingTable", summary = "Routing table buckets")
  RoutingTable routingTable() {
    DhtBackend.RoutingTableView table = backend.routingTable();
    return new RoutingTable(table.size(), table.buckets());
  }
}
