package org.chorus.dht.storage.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.kad.records.RecordListener.Source;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The remote-write audit without a network: lines per event, the per-peer and total budgets with
 * their aggregate lines, the bounded queue. The writer thread is not started; {@link
 * RemoteRecordAudit#flush()} writes, and the clock is stepped.
 */
class RemoteRecordAuditTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte[] KEY = "/CHORUS/ucxl/abc".getBytes(UTF_8);

  @TempDir Path dir;
  private final SteppingClock clock = new SteppingClock();
  private final AtomicLong failures = new AtomicLong();
  private AuditLog log;

  @BeforeEach
  void open() {
    log =
        AuditLog.open(
            AuditLogConfig.defaults(dir, "node-1"), AuditSigner.of(IdentityKey.generate()), clock);
  }

  @AfterEach
  void close() {
    log.close();
  }

  private RemoteRecordAudit audit(RemoteAuditConfig config) {
    return new RemoteRecordAudit(log, config, clock, failures::incrementAndGet);
  }

  private static PeerId peer() {
    return IdentityKey.generate().peerId();
  }

  /** The event lines written so far (checkpoint lines left out). */
  private List<JsonNode> events() throws Exception {
    return Files.readAllLines(dir.resolve("audit.log"), UTF_8).stream()
        .map(JSON::readTree)
        .filter(l -> !AuditLog.CHECKPOINT.equals(l.path("operation").asString()))
        .toList();
  }

  @Test
  void acceptedAndRefusedRecordsBecomeLinesNamingThePeerAndTheKey() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT);
    PeerId a = peer();
    remote.accepted(a, KEY);
    remote.refused(a, KEY, Source.PUT, Reason.BAD_SIGNATURE, "signature does not verify");
    remote.refused(a, new byte[] {0, 1, (byte) 0xff}, Source.GET, Reason.ROLLBACK, "older");
    assertThat(events()).as("nothing written before the writer runs").isEmpty();
    remote.flush();

    List<JsonNode> lines = events();
    assertThat(lines).hasSize(3);
    assertThat(lines)
        .allSatisfy(l -> assertThat(l.path("principal").asString()).isEqualTo(a.toString()));
    assertThat(lines.get(0).path("operation").asString()).isEqualTo("remote-put");
    assertThat(lines.get(0).path("outcome").asString()).isEqualTo("accepted");
    assertThat(lines.get(0).path("address").asString()).isEqualTo("/CHORUS/ucxl/abc");
    assertThat(lines.get(0).path("role").isNull()).isTrue();
    assertThat(lines.get(1).path("outcome").asString()).isEqualTo("refused:bad_signature");
    assertThat(lines.get(2).path("operation").asString()).isEqualTo("remote-get");
    assertThat(lines.get(2).path("outcome").asString()).isEqualTo("refused:rollback");
    assertThat(lines.get(2).path("address").asString()).isEqualTo("hex:0001ff");
    assertThat(remote.written()).isEqualTo(3);
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void aFloodingPeerGetsItsBudgetThenOneAggregateLinePerMinute() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT);
    PeerId hostile = peer();
    for (int i = 0; i < 5000; i++) {
      remote.refused(hostile, KEY, Source.PUT, Reason.UNAUTHORIZED, "not the role's key");
    }
    remote.flush();
    assertThat(events()).hasSize(RemoteAuditConfig.DEFAULT_REFUSED_PER_PEER);
    assertThat(remote.suppressed()).isEqualTo(5000 - 10);

    clock.advance(RemoteRecordAudit.WINDOW);
    remote.flush(); // the window ended: its sum is written
    List<JsonNode> lines = events();
    assertThat(lines).hasSize(11);
    JsonNode sum = lines.get(10);
    assertThat(sum.path("principal").asString()).isEqualTo(hostile.toString());
    assertThat(sum.path("operation").asString()).isEqualTo("remote-put");
    assertThat(sum.path("outcome").asString()).isEqualTo("refused:suppressed");
    assertThat(sum.path("size").asLong()).isEqualTo(4990);

    remote.refused(hostile, KEY, Source.PUT, Reason.UNAUTHORIZED, "again");
    remote.flush();
    assertThat(events()).as("a new window, a new budget").hasSize(12);
  }

  @Test
  void manyPeersShareATotalBudgetAndTheRestIsSummedUnderStar() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT.withRefused(2, 5));
    for (int i = 0; i < 20; i++) {
      remote.refused(peer(), KEY, Source.PUT, Reason.MALFORMED, "junk");
    }
    clock.advance(RemoteRecordAudit.WINDOW);
    remote.flush();
    List<JsonNode> lines = events();
    assertThat(lines).hasSize(6);
    JsonNode sum = lines.get(5);
    assertThat(sum.path("principal").asString()).isEqualTo(RemoteRecordAudit.OTHER_PEERS);
    assertThat(sum.path("outcome").asString()).isEqualTo("refused:suppressed");
    assertThat(sum.path("size").asLong()).isEqualTo(15);
  }

  @Test
  void peersBeyondTheTrackedOnesAreCountedTogether() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT.withMaxTrackedPeers(3));
    for (int i = 0; i < 10; i++) {
      remote.accepted(peer(), KEY);
    }
    remote.close(); // close sums the current window
    List<JsonNode> lines = events();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3).path("principal").asString()).isEqualTo("*");
    assertThat(lines.get(3).path("outcome").asString()).isEqualTo("accepted:suppressed");
    assertThat(lines.get(3).path("size").asLong()).isEqualTo(7);
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT.withQueueCapacity(4));
    PeerId a = peer();
    for (int i = 0; i < 9; i++) {
      remote.accepted(a, KEY);
    }
    assertThat(remote.queued()).isEqualTo(4);
    assertThat(remote.dropped()).isEqualTo(5);
    remote.flush();
    assertThat(events()).hasSize(4);
    remote.close();
    remote.accepted(a, KEY);
    assertThat(remote.dropped()).as("after close").isEqualTo(6);
  }

  @Test
  void aLineThatCannotBeWrittenIsCountedNotRetried() throws Exception {
    RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT);
    remote.accepted(peer(), KEY);
    remote.accepted(peer(), KEY);
    log.close();
    remote.flush();
    assertThat(remote.failures()).isEqualTo(2);
    assertThat(failures.get()).isEqualTo(2);
    assertThat(remote.queued()).isZero();
  }

  @Test
  void theWriterThreadWritesWithoutAFlush() throws Exception {
    try (RemoteRecordAudit remote = audit(RemoteAuditConfig.DEFAULT)) {
      remote.start();
      remote.accepted(peer(), KEY);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> remote.written() == 1);
    }
    assertThat(events()).hasSize(1);
  }

  @Test
  void keysAreTextWhenPrintableElseHex() {
    assertThat(RemoteRecordAudit.keyText("/CHORUS/peer/x".getBytes(UTF_8)))
        .isEqualTo("/CHORUS/peer/x");
    assertThat(RemoteRecordAudit.keyText("a b".getBytes(UTF_8))).isEqualTo("hex:612062");
    byte[] big = new byte[1000];
    assertThat(RemoteRecordAudit.keyText(big)).hasSize(4 + 256 + 3).endsWith("...");
  }

  @Test
  void configIsValidated() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RemoteAuditConfig.DEFAULT.withRefused(10, 5).validate())
        .hasMessageContaining("refusedTotal");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RemoteAuditConfig.DEFAULT.withQueueCapacity(0).validate())
        .hasMessageContaining("queueCapacity");
  }
}
