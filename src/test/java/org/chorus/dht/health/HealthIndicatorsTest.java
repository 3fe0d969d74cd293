package org.chorus.dht.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditLogConfig;
import org.chorus.dht.storage.audit.AuditSigner;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

/** The indicators grade real state: each goes DOWN when what it watches breaks. */
class HealthIndicatorsTest {

  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.of(IdentityKey.generate());

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
    AuditLog audit = AuditLog.open(AuditLogConfig.defaults(dir, "n"), signer, Clock.systemUTC());
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
      assertThat(down.getDetails())
          .as("line 1 is the first checkpoint")
          .containsEntry("brokenLine", 4L);
      assertThat(String.valueOf(down.getDetails().get("findings"))).contains("broken at line 4");
      clock.advance(Duration.ofMinutes(10));
      assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
    } finally {
      audit.close();
    }
  }

  @Test
  void auditChainIsUpWithItsCheckpointAndDownWhenTheStartCheckFindsACutTail() throws Exception {
    SteppingClock clock = new SteppingClock();
    AuditLogConfig config = AuditLogConfig.defaults(dir, "n");
    try (AuditLog audit = AuditLog.open(config, signer, clock)) {
      for (int i = 0; i < 3; i++) {
        audit.append(new AuditEvent("p", "qa_engineer", "ucxl://a/b/c/d/" + i, "store", "ok", i));
      }
      var up = new AuditChainHealthIndicator(audit, clock, Duration.ofSeconds(60)).health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails())
          .containsEntry("lines", 3L)
          .containsEntry("anchor", "new")
          .doesNotContainKey("findings");
      assertThat(up.getDetails().get("lastCheckpoint"))
          .asInstanceOf(InstanceOfAssertFactories.MAP)
          .containsEntry("lines", 1L);
    } // the shutdown checkpoint covers all five lines

    List<String> lines = Files.readAllLines(config.file(), StandardCharsets.UTF_8);
    Files.writeString(
        config.file(), String.join("\n", lines.subList(0, 3)) + "\n", StandardCharsets.UTF_8);

    try (AuditLog audit = AuditLog.open(config, signer, clock)) {
      var down = new AuditChainHealthIndicator(audit, clock, Duration.ofSeconds(60)).health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("anchor", "cut_tail");
      assertThat(String.valueOf(down.getDetails().get("findings")))
          .contains("cut_tail")
          .contains("its last 2 lines were removed");
      assertThat(down.getDetails().get("lastCheckpoint"))
          .asInstanceOf(InstanceOfAssertFactories.MAP)
          .containsEntry("lines", 5L);
    }
  }
}
