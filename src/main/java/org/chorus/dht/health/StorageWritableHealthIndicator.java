package org.chorus.dht.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP when a file can be created, written, synced and deleted in the data directory, and the disk
 * has room. Each check touches the disk once; thread-safe.
 */
final class StorageWritableHealthIndicator implements HealthIndicator {

  /** Below this much usable space the node stops accepting writes safely. */
  static final long MIN_FREE_BYTES = 64L * 1024 * 1024;

  private final Path dataDir;

  StorageWritableHealthIndicator(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath();
  }

  @Override
  public Health health() {
    Path probe = null;
    try {
      probe = Files.createTempFile(dataDir, ".health-", ".probe");
      try (var channel =
          java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
        channel.force(true);
      }
      long free = Files.getFileStore(dataDir).getUsableSpace();
      Health.Builder builder = free < MIN_FREE_BYTES ? Health.down() : Health.up();
      return builder
          .withDetail("dataDir", dataDir.toString())
          .withDetail("freeBytes", free)
          .build();
    } catch (IOException | RuntimeException e) {
      return Health.down()
          .withDetail("dataDir", dataDir.toString())
          .withDetail("error", "failed to write: " + e.getMessage())
          .build();
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // the next check reports the disk state
        }
      }
    }
  }
}
