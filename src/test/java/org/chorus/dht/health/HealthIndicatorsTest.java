package org.chorus.dht.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditLogConfig;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

/** The indicators grade real state: each goes DOWN when what it watches breaks. */
class HealthIndicatorsTest {

  @TempDir Path dir;

  @Test
  void storageWritableIsDownWhenTheDataDirCannotTakeAFile() throws Exception {
    assertThat(new StorageWritableHealthIndicator(dir).health().getStatus()).isEqualTo(Status.UP);
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    var health = new StorageWritableHealthIndicator(notADirectory).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsKey("error");
  }

  @Test
  void recordStoreIsDownOnceTheStoreIsClosed() {
    LocalDht dht = LocalDht.open(LocalDhtConfig.builder(dir, "n").build(), Clock.systemUTC());
    RecordStoreHealthIndicator indicator = new RecordStoreHealthIndicator(dht);
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    dht.close();
    assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
  }

  @Test
  void auditChainIsDownAfterTamperingAndStaysDown() throws Exception {
    AuditLog audit = AuditLog.open(AuditLogConfig.defaults(dir, "n"), Clock.systemUTC());
    try {
      for (int i = 0; i < 3; i++) {
        audit.append(new AuditEvent("p", "qa_engineer", "ucxl://a/b/c/d/" + i, "store", "ok", i));
      }
      SteppingClock clock = new SteppingClock();
      AuditChainHealthIndicator indicator =
          new AuditChainHealthIndicator(audit, clock, Duration.ofSeconds(60));
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

      Path file = audit.config().file();
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Files.writeString(file, text.replace("\"size\":1", "\"size\":9"), StandardCharsets.UTF_8);
      assertThat(indicator.health().getStatus()).as("cached for a minute").isEqualTo(Status.UP);

      clock.advance(Duration.ofSeconds(61));
      var down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("brokenLine", 3L);
      clock.advance(Duration.ofMinutes(10));
      assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
    } finally {
      audit.close();
    }
  }
}
