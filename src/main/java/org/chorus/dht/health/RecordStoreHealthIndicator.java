package org.chorus.dht.health;

import org.chorus.dht.backend.DhtBackend;
import org.chorus.dht.backend.DhtBackend.BackendStats;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.NetworkDht;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP when the backend's record store is open and answers a stats query. Thread-safe. */
final class RecordStoreHealthIndicator implements HealthIndicator {

  private final DhtBackend backend;

  RecordStoreHealthIndicator(DhtBackend backend) {
    this.backend = backend;
  }

  @Override
  public Health health() {
    if (backend instanceof LocalDht local && !local.isOpen()
        || backend instanceof NetworkDht network && !network.isOpen()) {
      return Health.down().withDetail("backend", backend.name()).withDetail("open", false).build();
    }
    try {
      BackendStats stats = backend.stats();
      return Health.up()
          .withDetail("backend", stats.backend())
          .withDetail("totalKeys", stats.totalKeys())
          .withDetail("mode", stats.mode())
          .build();
    } catch (RuntimeException e) {
      return Health.down()
          .withDetail("backend", backend.name())
          .withDetail("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
