package org.chorus.dht.storage.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AuditLogTest {

  @TempDir Path dir;
  private final SteppingClock clock = new SteppingClock();
  private final AuditSigner signer = AuditSigner.of(IdentityKey.generate());
  private final List<AuditLog> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(AuditLog::close);
  }

  private AuditLog open() {
    return open(AuditLogConfig.defaults(dir, "node-1"));
  }

  private AuditLog open(AuditLogConfig config) {
    AuditLog log = AuditLog.open(config, signer, clock);
    opened.add(log);
    return log;
  }

  private static AuditEvent store(String address, long size) {
    return new AuditEvent(
        "alice", "backend_developer", address, AuditEvent.STORE, AuditEvent.OK, size);
  }

  private List<String> fileLines() throws IOException {
    return Files.readAllLines(dir.resolve("audit.log"), UTF_8);
  }

  private void writeLines(List<String> lines) throws IOException {
    Files.writeString(dir.resolve("audit.log"), String.join("\n", lines) + "\n", UTF_8);
  }

  private void writeSample(int n) {
    try (AuditLog log = AuditLog.open(AuditLogConfig.defaults(dir, "node-1"), signer, clock)) {
      for (int i = 1; i <= n; i++) {
        log.append(store("ucxl://a/b/c/d/file" + i, i * 10L));
        clock.advance(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void linesHaveTheDocumentedShapeAndChain() throws Exception {
    AuditLog log = open();
    String h1 = log.append(store("ucxl://a/b/c/d/e", 42));
    clock.advance(Duration.ofMillis(1500));
    log.append(
        new AuditEvent(
            "bob", "qa_engineer", "ucxl://a/b/c/d/e", AuditEvent.DENIED, AuditEvent.FORBIDDEN, 0));
    List<String> lines = fileLines();
    String checkpoint = lines.get(0);
    assertThat(checkpoint)
        .as("a new log starts with a signed checkpoint of nothing")
        .startsWith(
            "{\"ts\":\"2026-01-01T00:00:00Z\",\"node\":\"node-1\",\"operation\":\"checkpoint\","
                + "\"peer\":\""
                + signer.peerId()
                + "\",\"lines\":0,\"prev\":\""
                + AuditLog.GENESIS
                + "\",\"sig\":\"");
    assertThat(lines.subList(1, 3))
        .containsExactly(
            "{\"ts\":\"2026-01-01T00:00:00Z\",\"node\":\"node-1\",\"principal\":\"alice\","
                + "\"role\":\"backend_developer\",\"address\":\"ucxl://a/b/c/d/e\","
                + "\"operation\":\"store\",\"outcome\":\"ok\",\"size\":42,\"prev\":\""
                + sha256Hex(checkpoint)
                + "\"}",
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"node\":\"node-1\",\"principal\":\"bob\","
                + "\"role\":\"qa_engineer\",\"address\":\"ucxl://a/b/c/d/e\","
                + "\"operation\":\"denied\",\"outcome\":\"forbidden\",\"size\":0,\"prev\":\""
                + h1
                + "\"}");
    assertThat(h1).isEqualTo(sha256Hex(lines.get(1)));
    assertThat(log.head()).isEqualTo(sha256Hex(lines.get(2)));
    assertThat(log.lines()).isEqualTo(2);
    assertThat(log.checkpointLines()).isEqualTo(1);
    assertThat(log.verify()).isEqualTo(new AuditVerification(true, 3, 0, null));
  }

  @Test
  void awkwardValuesAreEscapedOntoOneLine() throws Exception {
    AuditLog log = open();
    String principal = "eve\"\n\\\u0000\u2028é";
    log.append(new AuditEvent(principal, null, null, AuditEvent.RETRIEVE, AuditEvent.ERROR, 0));
    List<String> lines = fileLines();
    assertThat(lines).hasSize(2);
    JsonNode node = JsonMapper.builder().build().readTree(lines.get(1));
    assertThat(node.get("principal").asString()).isEqualTo(principal);
    assertThat(node.get("role").isNull()).isTrue();
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void hostileValuesAreCutAndMadeEncodableNotRefused() throws Exception {
    AuditLog log = open();
    String huge = "\u0001".repeat(50_000);
    String loneSurrogates = "a\ud800b\udc00c\ud83d\ude00d";
    log.append(new AuditEvent(huge, loneSurrogates, huge, AuditEvent.DENIED, AuditEvent.ERROR, 0));
    JsonNode node = JsonMapper.builder().build().readTree(fileLines().get(1));
    assertThat(node.get("principal").asString()).hasSize(AuditLog.MAX_FIELD_CHARS).endsWith("...");
    assertThat(node.get("role").asString()).isEqualTo("a\ufffdb\ufffdc\ud83d\ude00d");
    assertThat(log.verify().ok()).isTrue();
    assertThat(AuditLog.clean("plain")).isSameAs(AuditLog.clean("plain")).isEqualTo("plain");
    assertThat(AuditLog.clean("\ud800")).isEqualTo("\ufffd");
    assertThat(AuditLog.clean("x\udc00")).isEqualTo("x\ufffd");
  }

  @Test
  void reopeningContinuesTheChain() throws Exception {
    writeSample(3); // checkpoint, 3 events, the checkpoint of the close
    AuditLog log = open();
    assertThat(log.lines()).isEqualTo(3);
    assertThat(log.head()).isEqualTo(sha256Hex(fileLines().get(4)));
    log.append(store("ucxl://a/b/c/d/more", 1));
    assertThat(log.verify()).isEqualTo(new AuditVerification(true, 6, 0, null));
    log.close();
    AuditLog again = open();
    assertThat(again.verify().linesChecked()).isEqualTo(7);
    assertThat(again.lines()).isEqualTo(4);
  }

  @Test
  void aTornLastLineIsCutOffOnOpen() throws Exception {
    writeSample(2);
    Files.writeString(
        dir.resolve("audit.log"), "{\"ts\":\"2026-", UTF_8, StandardOpenOption.APPEND);
    AuditLog log = open();
    assertThat(log.truncatedTailBytes()).isEqualTo(12);
    assertThat(log.lines()).isEqualTo(2);
    log.append(store("ucxl://a/b/c/d/after", 1));
    assertThat(log.verify().ok()).isTrue();
    assertThat(log.anchor().state()).isEqualTo(AuditAnchor.State.ANCHORED);
    assertThat(fileLines()).hasSize(5);
  }

  @Test
  void changingAnyFieldOfAMiddleLineIsDetected() throws Exception {
    for (String field :
        List.of("\"size\":20", "\"principal\":\"alice\"", "\"ts\":\"2026-01-01T00:00:01Z\"")) {
      clock.set(java.time.Instant.parse("2026-01-01T00:00:00Z"));
      writeSample(4);
      List<String> lines = fileLines(); // checkpoint, 4 events, checkpoint
      String changed =
          lines
              .get(2)
              .replace(
                  field,
                  field.replace("20", "21").replace("alice", "mallory").replace(":01Z", ":09Z"));
      assertThat(changed).isNotEqualTo(lines.get(2));
      lines.set(2, changed);
      writeLines(lines);
      try (AuditLog log = AuditLog.open(AuditLogConfig.defaults(dir, "node-1"), signer, clock)) {
        AuditVerification v = log.verify();
        assertThat(v.ok()).as(field).isFalse();
        assertThat(v.brokenLine()).isEqualTo(4);
        assertThat(v.linesChecked()).isEqualTo(3);
        assertThat(v.reason()).isEqualTo("prev does not match the hash of the previous line");
        assertThat(log.startVerification()).isEqualTo(v);
        assertThat(log.verifyFailures()).as("the start check, then verify").isEqualTo(2);
      }
      Files.delete(dir.resolve("audit.log"));
      Files.delete(dir.resolve("audit.checkpoint"));
    }
  }

  @Test
  void deletingAMiddleLineIsDetected() throws Exception {
    assertBrokenAfter(lines -> remove(lines, 2), 3);
  }

  @Test
  void deletingTheFirstLineIsDetected() throws Exception {
    assertBrokenAfter(lines -> remove(lines, 0), 1);
  }

  @Test
  void reorderingLinesIsDetected() throws Exception {
    assertBrokenAfter(
        lines -> {
          Collections.swap(lines, 1, 2);
          return lines;
        },
        2);
  }

  @Test
  void insertingALineIsDetected() throws Exception {
    assertBrokenAfter(
        lines -> {
          lines.add(2, lines.get(1));
          return lines;
        },
        3);
  }

  @Test
  void aLineThatIsNotJsonIsDetected() throws Exception {
    assertBrokenAfter(
        lines -> {
          lines.set(3, "not json");
          return lines;
        },
        4);
  }

  @Test
  void tamperingWithTheLastLineIsDetectedWhileRunning() throws Exception {
    AuditLog log = open();
    log.append(store("ucxl://a/b/c/d/e", 1));
    log.append(store("ucxl://a/b/c/d/e", 2));
    List<String> lines = fileLines();
    lines.set(2, lines.get(2).replace("\"size\":2", "\"size\":3"));
    writeLines(lines);
    AuditVerification v = log.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.brokenLine()).isEqualTo(3);
    assertThat(v.reason()).contains("chain head");
  }

  @Test
  void truncatingTheFileWhileRunningIsDetected() throws Exception {
    AuditLog log = open();
    for (int i = 0; i < 3; i++) {
      log.append(store("ucxl://a/b/c/d/e", i));
    }
    writeLines(fileLines().subList(0, 2));
    assertThat(log.verify().ok()).isFalse();
  }

  @Test
  void incrementalVerificationReadsOnlyNewLines() throws Exception {
    writeSample(3);
    AuditLog log = open();
    assertThat(log.verifyIncremental())
        .as("open verified all 5 lines")
        .isEqualTo(new AuditVerification(true, 0, 0, null));
    log.append(store("ucxl://a/b/c/d/x", 1));
    log.append(store("ucxl://a/b/c/d/y", 1));
    assertThat(log.verifyIncremental()).isEqualTo(new AuditVerification(true, 2, 0, null));
    log.append(store("ucxl://a/b/c/d/z", 1));
    List<String> lines = fileLines();
    lines.set(7, lines.get(7).replace("/z", "/w"));
    writeLines(lines);
    AuditVerification v = log.verifyIncremental();
    assertThat(v.ok()).isFalse();
    assertThat(v.brokenLine()).isEqualTo(8);
    assertThat(v.linesChecked()).isZero();
    assertThat(log.verifyFailures()).isEqualTo(1);
  }

  @Test
  void anOversizeLineIsRefusedAndCounted() {
    AuditLog log = open(AuditLogConfig.defaults(dir, "n").withMaxLineBytes(512));
    assertThatThrownBy(() -> log.append(store("x".repeat(600), 1)))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("exceeds 512 bytes");
    assertThat(log.appendFailures()).isEqualTo(1);
    log.append(store("ucxl://a/b/c/d/e", 1));
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void aClosedLogRefusesAppends() {
    AuditLog log = open();
    log.close();
    log.close();
    assertThatThrownBy(() -> log.append(store("a", 1))).hasMessageContaining("closed");
  }

  @Test
  void concurrentAppendsStayChainedAndShareSyncs() throws Exception {
    AuditLog log = open();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 40; i++) {
                    log.append(store("ucxl://a/b/c/t" + id + "/" + i, i));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(log.lines()).isEqualTo(320);
    assertThat(log.checkpointLines()).as("the first, then every 100").isEqualTo(4);
    assertThat(log.verify()).isEqualTo(new AuditVerification(true, 324, 0, null));
    assertThat(log.syncs()).isBetween(1L, 320L);
    System.out.printf(
        "audit group commit: 320 appends from 8 threads took %d syncs%n", log.syncs());
  }

  @Test
  void configIsValidated() {
    assertThatThrownBy(() -> AuditLog.open(AuditLogConfig.defaults(dir, ""), signer, clock))
        .hasMessageContaining("nodeId");
    assertThatThrownBy(() -> AuditLogConfig.defaults(dir, "n").withCheckpointEvery(0).validate())
        .hasMessageContaining("checkpointEvery");
    assertThatThrownBy(() -> new AuditEvent("p", "r", "a", AuditLog.CHECKPOINT, "ok", 0))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> AuditLogConfig.defaults(dir, "n").withMaxLineBytes(10).validate())
        .hasMessageContaining("maxLineBytes");
    assertThatThrownBy(() -> new AuditEvent("p", "r", "a", " ", "ok", 0))
        .hasMessageContaining("operation");
  }

  private void assertBrokenAfter(UnaryOperator<List<String>> tamper, long brokenLine)
      throws Exception {
    writeSample(5);
    writeLines(tamper.apply(new ArrayList<>(fileLines())));
    AuditLog log = open();
    AuditVerification v = log.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.brokenLine()).isEqualTo(brokenLine);
  }

  private static List<String> remove(List<String> lines, int index) {
    lines.remove(index);
    return lines;
  }

  private static String sha256Hex(String line) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(UTF_8)));
  }
}
