package org.chorus.dht.storage;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/storage/metrics}: the storage counters, cache and backend in one view. */
@RestController
@Tag(name = "storage", description = "Storage counters, cache and backend")
class StorageMetricsController {

  private final EncryptedStorage storage;

  StorageMetricsController(EncryptedStorage storage) {
    this.storage = storage;
  }

  @GetMapping("/api/v1/storage/metrics")
  @Operation(operationId = "getStorageMetrics", summary = "Storage counters, cache and backend")
  EncryptedStorage.Stats metrics() {
    return storage.stats();
  }
}
