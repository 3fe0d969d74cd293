package org.chorus.dht.storage.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.storage.audit.AuditAnchor.State;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Signed checkpoints: what the start check finds for each way of tampering with a stopped node's
 * log by someone without its key, and what it must not call tampering (a crash, a log from before
 * checkpoints).
 */
class AuditLogCheckpointTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private final SteppingClock clock = new SteppingClock();
  private final AuditSigner signer = AuditSigner.of(IdentityKey.generate());
  private final List<AuditLog> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(AuditLog::close);
  }

  private AuditLogConfig config() {
    return AuditLogConfig.defaults(dir, "node-1");
  }

  private AuditLog open(AuditLogConfig config, AuditSigner key) {
    AuditLog log = AuditLog.open(config, key, clock);
    opened.add(log);
    return log;
  }

  private AuditLog open() {
    return open(config(), signer);
  }

  private static AuditEvent store(int i) {
    return new AuditEvent(
        "alice", "backend_developer", "ucxl://a/b/c/d/file" + i, AuditEvent.STORE, "ok", i);
  }

  /** A log of {@code n} events closed cleanly: checkpoint, events, the shutdown checkpoint. */
  private void writeSample(AuditLogConfig config, AuditSigner key, int n) {
    try (AuditLog log = AuditLog.open(config, key, clock)) {
      for (int i = 1; i <= n; i++) {
        log.append(store(i));
        clock.advance(Duration.ofSeconds(1));
      }
    }
  }

  private List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, UTF_8);
  }

  private void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n", UTF_8);
  }

  private JsonNode checkpointFile() throws IOException {
    return JSON.readTree(Files.readString(config().checkpointFile(), UTF_8));
  }

  @Test
  void aCleanShutdownLeavesACheckpointOfEveryLineAndReopensAnchored() throws Exception {
    writeSample(config(), signer, 3);
    List<String> lines = lines(config().file());
    assertThat(lines).hasSize(5);
    JsonNode file = checkpointFile();
    assertThat(file.propertyNames())
        .containsExactly("format", "ts", "peer", "lines", "head", "sig");
    assertThat(file.get("format").asString()).isEqualTo(AuditLog.CHECKPOINT_FORMAT);
    assertThat(file.get("lines").asLong()).isEqualTo(5);
    assertThat(file.get("head").asString()).isEqualTo(sha256Hex(lines.get(4)));
    assertThat(file.get("peer").asString()).isEqualTo(signer.peerId());
    assertThat(JSON.readTree(lines.get(4)).get("lines").asLong()).isEqualTo(4);

    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.ANCHORED);
    assertThat(log.anchor().detail()).contains("ends at the signed checkpoint");
    assertThat(log.lastCheckpoint().lines()).isEqualTo(5);
    assertThat(log.startVerification().ok()).isTrue();
    assertThat(log.lines()).isEqualTo(3);
    assertThat(lines(config().file())).as("nothing written at start").hasSize(5);
  }

  @Test
  void aCheckpointIsWrittenEveryNEventLines() throws Exception {
    AuditLog log = open(config().withCheckpointEvery(2), signer);
    for (int i = 1; i <= 5; i++) {
      log.append(store(i));
    }
    List<String> lines = lines(config().file());
    List<String> operations =
        lines.stream().map(l -> JSON.readTree(l).get("operation").asString()).toList();
    assertThat(operations)
        .containsExactly(
            "checkpoint", "store", "store", "checkpoint", "store", "store", "checkpoint", "store");
    assertThat(log.checkpointLines()).isEqualTo(3);
    assertThat(checkpointFile().get("lines").asLong()).isEqualTo(7);
    assertThat(checkpointFile().get("head").asString()).isEqualTo(sha256Hex(lines.get(6)));
    assertThat(log.checkpointsWritten()).isEqualTo(3);
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void aBatchIsOneWriteAndCheckpointsInside() throws Exception {
    AuditLog log = open(config().withCheckpointEvery(3), signer);
    log.appendAll(List.of(store(1), store(2), store(3), store(4)));
    assertThat(log.lines()).isEqualTo(4);
    assertThat(log.checkpointLines()).isEqualTo(2);
    assertThat(lines(config().file())).hasSize(6);
    assertThat(checkpointFile().get("lines").asLong()).as("covers the whole batch").isEqualTo(6);
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void aCutTailAfterACleanShutdownIsDetectedThoughTheChainIsIntact() throws Exception {
    writeSample(config(), signer, 5);
    List<String> lines = lines(config().file());
    write(config().file(), lines.subList(0, 4)); // the last 3 lines, the close checkpoint too

    AuditLog log = open();
    assertThat(log.startVerification().ok()).as("what is left is a valid chain").isTrue();
    assertThat(log.anchor().state()).isEqualTo(State.CUT_TAIL);
    assertThat(log.anchor().tampered()).isTrue();
    assertThat(log.anchor().detail())
        .contains("the log has 4 lines but the signed checkpoint of")
        .contains("covers 7")
        .contains("its last 3 lines were removed");
    List<String> after = lines(config().file());
    assertThat(JSON.readTree(after.get(after.size() - 1)).get("outcome").asString())
        .isEqualTo("tampered:cut_tail");
  }

  @Test
  void tamperingStaysReportedAfterRestartsBecauseTheCheckpointIsKept() throws Exception {
    writeSample(config(), signer, 5);
    String checkpoint = Files.readString(config().checkpointFile(), UTF_8);
    write(config().file(), lines(config().file()).subList(0, 4));
    open().close(); // tampered: appends continue, the checkpoint file is not replaced
    assertThat(Files.readString(config().checkpointFile(), UTF_8)).isEqualTo(checkpoint);

    AuditLog again = open();
    assertThat(again.anchor().tampered()).isTrue();
    assertThat(again.lastCheckpoint().lines()).isEqualTo(7);
  }

  @Test
  void aRewrittenFreshValidChainIsDetected() throws Exception {
    writeSample(config(), signer, 3);
    // what someone without the key can make: a valid chain, but no signed checkpoint of it
    write(config().file(), freshChain(8));

    AuditLog log = open();
    assertThat(log.startVerification().ok()).as("the fresh chain is valid").isTrue();
    assertThat(log.anchor().state()).isEqualTo(State.REWRITTEN);
    assertThat(log.anchor().detail())
        .contains("line 5 does not hash to the head of the signed checkpoint");
  }

  @Test
  void aShorterFreshChainIsACutTail() throws Exception {
    writeSample(config(), signer, 3);
    write(config().file(), freshChain(2));
    assertThat(open().anchor().state()).isEqualTo(State.CUT_TAIL);
  }

  @Test
  void aLogAndCheckpointSignedByAnotherKeyAreDetected() throws Exception {
    AuditSigner other = AuditSigner.of(IdentityKey.generate());
    writeSample(config(), other, 3); // a consistent log and checkpoint, by the wrong key

    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.FOREIGN_CHECKPOINT);
    assertThat(log.anchor().detail())
        .contains("not signed by this node's key (" + signer.peerId())
        .contains("it names peer " + other.peerId());
    AuditVerification chain = log.startVerification();
    assertThat(chain.ok()).isFalse();
    assertThat(chain.brokenLine()).isEqualTo(1);
    assertThat(chain.reason()).contains("checkpoint line is not signed by this node's key");
  }

  @Test
  void aCheckpointFileWhoseSignatureIsForgedIsForeign() throws Exception {
    writeSample(config(), signer, 3);
    JsonNode file = checkpointFile();
    String forged =
        JSON.writeValueAsString(file).replace(file.get("sig").asString(), "A".repeat(86));
    Files.writeString(config().checkpointFile(), forged, UTF_8);

    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.FOREIGN_CHECKPOINT);
    assertThat(log.anchor().detail()).contains("the signature does not verify");
  }

  @Test
  void aCheckpointLineCannotBeTurnedIntoACheckpointFile() throws Exception {
    writeSample(config().withCheckpointEvery(2), signer, 4); // cp e e cp e e cp(close)
    List<String> lines = lines(config().file());
    JsonNode cpLine = JSON.readTree(lines.get(3)); // "the 3 lines before me end in prev"
    write(config().file(), lines.subList(0, 3));
    Files.writeString(
        config().checkpointFile(),
        JSON.writeValueAsString(
            JSON.createObjectNode()
                .put("format", AuditLog.CHECKPOINT_FORMAT)
                .put("ts", cpLine.get("ts").asString())
                .put("peer", cpLine.get("peer").asString())
                .put("lines", 3)
                .put("head", cpLine.get("prev").asString())
                .put("sig", cpLine.get("sig").asString())),
        UTF_8);

    assertThat(open().anchor().state()).isEqualTo(State.FOREIGN_CHECKPOINT);
  }

  @Test
  void checkpointLinesWithoutTheCheckpointFileAreTampering() throws Exception {
    writeSample(config(), signer, 3);
    Files.delete(config().checkpointFile());
    write(config().file(), lines(config().file()).subList(0, 3));

    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.CHECKPOINT_MISSING);
    assertThat(log.anchor().detail()).contains("holds 1 signed checkpoint lines");
    assertThat(Files.exists(config().checkpointFile())).as("not recreated").isFalse();
  }

  @Test
  void anUnreadableCheckpointFileIsTampering() throws Exception {
    writeSample(config(), signer, 2);
    Files.writeString(config().checkpointFile(), "{\"lines\":1}", UTF_8);
    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.CHECKPOINT_UNREADABLE);
    assertThat(log.anchor().detail()).contains("does not have the fields");
  }

  @Test
  void aCrashAfterTheLastCheckpointIsNotTampering() throws Exception {
    AuditLog running = open(config().withCheckpointEvery(3), signer);
    for (int i = 1; i <= 5; i++) {
      running.append(store(i)); // cp e e e cp e e: two lines after the last checkpoint
    }
    // the disk as a SIGKILL leaves it: no shutdown checkpoint, and half a line being written
    Path crashed = Files.createDirectory(dir.resolve("crashed"));
    Files.copy(config().file(), crashed.resolve(AuditLogConfig.FILE_NAME));
    Files.copy(config().checkpointFile(), crashed.resolve(AuditLogConfig.CHECKPOINT_FILE_NAME));
    Files.writeString(
        crashed.resolve(AuditLogConfig.FILE_NAME),
        "{\"ts\":\"2026-",
        UTF_8,
        StandardOpenOption.APPEND);

    AuditLog log = open(AuditLogConfig.defaults(crashed, "node-1"), signer);
    assertThat(log.anchor().tampered()).isFalse();
    assertThat(log.anchor().state()).isEqualTo(State.ANCHORED);
    assertThat(log.anchor().detail()).contains("by 2 lines written after it");
    assertThat(log.startVerification().ok()).isTrue();
    assertThat(log.truncatedTailBytes()).isEqualTo(12);
    assertThat(log.lines()).isEqualTo(5);
    log.close();
    AuditLog reopened = open(AuditLogConfig.defaults(crashed, "node-1"), signer);
    assertThat(reopened.anchor().detail()).contains("ends at the signed checkpoint");
  }

  @Test
  void aCrashBetweenTheCheckpointLineAndItsFileIsNotTampering() throws Exception {
    AuditLog running = open(config().withCheckpointEvery(2), signer);
    running.append(store(1));
    Path before = Files.createDirectory(dir.resolve("before"));
    Files.copy(config().checkpointFile(), before.resolve(AuditLogConfig.CHECKPOINT_FILE_NAME));
    running.append(store(2)); // writes a checkpoint line, then the file
    Files.copy(config().file(), before.resolve(AuditLogConfig.FILE_NAME)); // the old file

    AuditLog log = open(AuditLogConfig.defaults(before, "node-1"), signer);
    assertThat(log.anchor().state()).isEqualTo(State.ANCHORED);
    log.close();
    JsonNode file =
        JSON.readTree(Files.readString(before.resolve(AuditLogConfig.CHECKPOINT_FILE_NAME), UTF_8));
    assertThat(file.get("lines").asLong()).as("close catches the file up").isEqualTo(5);
  }

  @Test
  void aLogWrittenBeforeCheckpointsOpensUnanchoredAndIsAnchoredFromThen() throws Exception {
    write(config().file(), freshChain(4));

    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.UNANCHORED);
    assertThat(log.anchor().tampered()).isFalse();
    assertThat(log.anchor().detail()).contains("a log of 4 lines without checkpoints");
    assertThat(log.startVerification().ok()).isTrue();
    List<String> lines = lines(config().file());
    assertThat(lines).hasSize(6);
    JsonNode said = JSON.readTree(lines.get(4));
    assertThat(said.get("operation").asString()).isEqualTo(AuditEvent.AUDIT);
    assertThat(said.get("outcome").asString()).isEqualTo("unanchored");
    assertThat(said.get("size").asLong()).isEqualTo(4);
    assertThat(JSON.readTree(lines.get(5)).get("operation").asString()).isEqualTo("checkpoint");
    assertThat(checkpointFile().get("lines").asLong()).isEqualTo(6);
    assertThat(log.lines()).isEqualTo(5);
    log.close();

    assertThat(open().anchor().state()).isEqualTo(State.ANCHORED);
  }

  @Test
  void theAuditLogOfARelease010DataDirOpensUnanchored() throws Exception {
    Files.copy(Path.of("src/test/resources/fixtures/datadir-0.1.0/audit.log"), config().file());
    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.UNANCHORED);
    assertThat(log.startVerification().ok()).as(log.startVerification().toString()).isTrue();
    assertThat(log.lines()).isEqualTo(6); // five stores, then "unanchored"
    log.close();
    assertThat(open().anchor().state())
        .as("anchored by the first checkpoint")
        .isEqualTo(State.ANCHORED);
  }

  @Test
  void aNewLogStartsAnchored() {
    AuditLog log = open();
    assertThat(log.anchor().state()).isEqualTo(State.NEW);
    assertThat(log.lastCheckpoint().lines()).isEqualTo(1);
    assertThat(log.lines()).isZero();
  }

  /** A valid hash chain of {@code n} event lines as written before checkpoints (no key needed). */
  private static List<String> freshChain(int n) throws Exception {
    List<String> out = new ArrayList<>();
    String prev = AuditLog.GENESIS;
    for (int i = 1; i <= n; i++) {
      String line =
          "{\"ts\":\"2025-06-01T00:00:0"
              + (i % 10)
              + "Z\",\"node\":\"node-1\",\"principal\":\"mallory\",\"role\":\"qa_engineer\","
              + "\"address\":\"ucxl://a/b/c/d/forged"
              + i
              + "\",\"operation\":\"store\",\"outcome\":\"ok\",\"size\":1,\"prev\":\""
              + prev
              + "\"}";
      out.add(line);
      prev = sha256Hex(line);
    }
    return out;
  }

  private static String sha256Hex(String line) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(UTF_8)));
  }
}
