package org.chorus.dht.storage;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/storage/metrics}: the storage counters, cache and backend in one view. */
@RestController
class StorageMetricsController {

  private final EncryptedStorage storage;

  StorageMetricsController(EncryptedStorage storage) {
    this.storage = storage;
  }

  @GetMapping("/api/v1/storage/metrics")
  EncryptedStorage.Stats metrics() {
    return storage.stats();
  }
}
