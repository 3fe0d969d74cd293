package org.chorus.dht.storage.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.store.GroupCommit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Append-only, hash-chained audit log: one JSON object per line in {@code <dataDir>/audit.log}.
 *
 * <p>Each line is {@code {"ts","node","principal","role","address","operation","outcome","size",
 * "prev"}} in that order, where {@code ts} is ISO-8601 UTC and {@code prev} is the lower-case hex
 * SHA-256 of the previous line's exact bytes, without its {@code \n} (64 zeros on the first line).
 * Changing, deleting, inserting or reordering a line breaks the chain at the next line; {@link
 * #verify()} finds the first break. It also compares the end of the chain with the hash this
 * instance last wrote, so while the node runs even the last line is covered. What a chain alone
 * cannot show: lines cut from the end of the file while the node was stopped (read {@link #head()}
 * and {@link #lines()} into an external system to anchor them).
 *
 * <p><b>Durability.</b> An append is written with one {@code write} of the whole line and, under
 * the default {@link AuditLogConfig.SyncPolicy#GROUP}, made durable with {@code fsync} before
 * {@link #append} returns; concurrent appends share one {@code fsync} ({@link GroupCommit}). An
 * audit line is therefore as durable as the record it describes, at about the cost of one sync per
 * group. If a write fails the log stops accepting appends ({@link AuditLogException}) rather than
 * chain onto a half-written line; a restart recovers.
 *
 * <p><b>Reopen.</b> {@link #open} continues the chain from the last complete line. A last line
 * without its {@code \n} (a crash in the middle of a write, never acknowledged) is cut off and
 * reported by {@link #truncatedTailBytes()}. {@code open} does not verify the chain: call {@link
 * #verify()} (the service does at startup and from its health indicator).
 *
 * <p><b>Thread-safety.</b> Thread-safe: appends are serialised by a lock (the chain needs a total
 * order); the sync runs outside it; {@link #verify()} reads a snapshot without blocking appends.
 */
public final class AuditLog implements Closeable {

  /** Longest value of a string field; longer ones are cut (an address is at most 1024). */
  public static final int MAX_FIELD_CHARS = 1100;

  /** {@code prev} of the first line. */
  public static final String GENESIS = "0".repeat(64);

  private static final HexFormat HEX = HexFormat.of();
  private static final List<String> FIELDS =
      List.of("ts", "node", "principal", "role", "address", "operation", "outcome", "size", "prev");

  private final AuditLogConfig config;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();
  private final FileChannel channel;
  private final GroupCommit groupCommit;
  private final long truncatedTailBytes;
  private final AtomicLong appendFailures = new AtomicLong();
  private final AtomicLong verifyFailures = new AtomicLong();
  private final Object verifyLock = new Object();

  // guarded by verifyLock
  private Checkpoint checkpoint = Checkpoint.START;

  // guarded by this
  private String head;
  private long lines;
  private long size;
  private boolean failed;
  private boolean closed;

  private AuditLog(
      AuditLogConfig config, Clock clock, FileChannel channel, Tail tail, long truncatedTailBytes) {
    this.config = config;
    this.clock = clock;
    this.channel = channel;
    this.head = tail.hash;
    this.lines = tail.lines;
    this.size = tail.length;
    this.truncatedTailBytes = truncatedTailBytes;
    this.groupCommit = new GroupCommit(() -> channel.force(false));
  }

  /**
   * Opens (creating if absent) the log and positions the chain after its last complete line.
   *
   * @throws AuditLogException if the file cannot be read or opened for writing
   */
  public static AuditLog open(AuditLogConfig config, Clock clock) {
    config.validate();
    Path file = config.file();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        Tail tail = scanTail(channel);
        long cut = channel.size() - tail.length;
        if (cut > 0) {
          channel.truncate(tail.length);
          channel.force(true);
        }
        channel.position(tail.length);
        return new AuditLog(config, clock, channel, tail, cut);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new AuditLogException("failed to open audit log " + file + ": " + e, e);
    }
  }

  /**
   * Appends one line for {@code event}, stamped with the clock and this node's id.
   *
   * @return the line's chain hash (the next line's {@code prev})
   * @throws AuditLogException if the line cannot be written or synced, or the log has failed
   */
  public String append(AuditEvent event) {
    long ticket;
    String hash;
    synchronized (this) {
      if (closed) {
        throw new AuditLogException("audit log " + config.file() + " is closed");
      }
      if (failed) {
        appendFailures.incrementAndGet();
        throw new AuditLogException(
            "audit log " + config.file() + " failed earlier; restart the node to recover");
      }
      byte[] line = encode(event, clock.instant(), head);
      if (line.length > config.maxLineBytes()) {
        appendFailures.incrementAndGet();
        throw new AuditLogException(
            "audit line of " + line.length + " bytes exceeds " + config.maxLineBytes() + " bytes");
      }
      ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
      try {
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      } catch (IOException e) {
        failed = true;
        appendFailures.incrementAndGet();
        throw new AuditLogException("failed to append to audit log " + config.file() + ": " + e, e);
      }
      hash = sha256Hex(line, line.length);
      head = hash;
      lines++;
      size += line.length + 1;
      ticket = groupCommit.register();
    }
    if (config.sync() == AuditLogConfig.SyncPolicy.GROUP) {
      try {
        groupCommit.awaitDurable(ticket);
      } catch (IOException e) {
        synchronized (this) {
          failed = true;
        }
        appendFailures.incrementAndGet();
        throw new AuditLogException("failed to sync audit log " + config.file() + ": " + e, e);
      }
    }
    return hash;
  }

  private byte[] encode(AuditEvent event, Instant ts, String prev) {
    ObjectNode node = json.createObjectNode();
    node.put("ts", ts.toString());
    node.put("node", clean(config.nodeId()));
    node.put("principal", clean(event.principal()));
    node.put("role", clean(event.role()));
    node.put("address", clean(event.address()));
    node.put("operation", clean(event.operation()));
    node.put("outcome", clean(event.outcome()));
    node.put("size", event.size());
    node.put("prev", prev);
    return json.writeValueAsBytes(node);
  }

  /**
   * Makes a caller-supplied string safe to log: at most {@link #MAX_FIELD_CHARS} characters (cut
   * ones end in {@code ...}), and unpaired surrogates (not encodable in UTF-8) replaced by U+FFFD.
   * A denied request with a hostile address must still be audited, never fail the append.
   */
  static String clean(String s) {
    if (s == null) {
      return null;
    }
    String cut = s.length() > MAX_FIELD_CHARS ? s.substring(0, MAX_FIELD_CHARS - 3) + "..." : s;
    StringBuilder out = null;
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < cut.length() && Character.isLowSurrogate(cut.charAt(i + 1))
              : !Character.isLowSurrogate(c);
      if (Character.isHighSurrogate(c) && paired) {
        if (out != null) {
          out.append(c).append(cut.charAt(i + 1));
        }
        i++;
        continue;
      }
      if (!paired && out == null) {
        out = new StringBuilder(cut.length()).append(cut, 0, i);
      }
      if (out != null) {
        out.append(paired ? c : '\ufffd');
      }
    }
    return out == null ? cut : out.toString();
  }

  /**
   * Reads the whole log and checks every line: a JSON object with the expected fields whose {@code
   * prev} is the hash of the line before. Also checks that the chain ends where this instance's
   * last append left it. Never throws for a bad log; a failure is counted in {@link
   * #verifyFailures()}. Cost is linear in the file size (run it at startup).
   */
  public AuditVerification verify() {
    return verifyFrom(Checkpoint.START);
  }

  /**
   * Checks only the lines appended since the last successful {@link #verify()} or {@code
   * verifyIncremental()} (all lines if there was none), plus the chain head. Cheap enough for a
   * health indicator; it cannot see a change to a line that was already checked, which is what the
   * full {@link #verify()} at startup is for. The result counts the lines checked in this call.
   */
  public AuditVerification verifyIncremental() {
    Checkpoint from;
    synchronized (verifyLock) {
      from = checkpoint;
    }
    return verifyFrom(from);
  }

  private AuditVerification verifyFrom(Checkpoint from) {
    Checkpoint to;
    synchronized (this) {
      to = new Checkpoint(size, lines, head);
    }
    AuditVerification result = check(from, to);
    if (result.ok()) {
      synchronized (verifyLock) {
        if (to.offset() >= checkpoint.offset()) {
          checkpoint = to;
        }
      }
    } else {
      verifyFailures.incrementAndGet();
    }
    return result;
  }

  private AuditVerification check(Checkpoint from, Checkpoint to) {
    try (FileChannel in = FileChannel.open(config.file(), StandardOpenOption.READ)) {
      in.position(from.offset());
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      byte[] buf = buffer.array();
      long remaining = to.offset() - from.offset();
      long lineNo = from.lines();
      String prev = from.head();
      ByteArrayOutputStream line = new ByteArrayOutputStream(512);
      while (remaining > 0) {
        buffer.clear().limit((int) Math.min(buf.length, remaining));
        int n = in.read(buffer);
        if (n < 0) {
          return broken(from, lineNo + 1, "file is shorter than written");
        }
        remaining -= n;
        int start = 0;
        for (int i = 0; i <= n; i++) {
          boolean end = i < n && buf[i] == '\n';
          if (!end && i < n) {
            continue;
          }
          if (line.size() + (i - start) > config.maxLineBytes()) {
            return broken(from, lineNo + 1, "line longer than " + config.maxLineBytes() + " bytes");
          }
          line.write(buf, start, i - start);
          start = i + 1;
          if (!end) {
            break;
          }
          lineNo++;
          byte[] bytes = line.toByteArray();
          line.reset();
          String problem = checkLine(bytes, prev);
          if (problem != null) {
            return broken(from, lineNo, problem);
          }
          prev = sha256Hex(bytes, bytes.length);
        }
      }
      if (line.size() > 0) {
        return broken(from, lineNo + 1, "last line is not terminated");
      }
      if (lineNo != to.lines()) {
        return broken(from, lineNo + 1, "expected " + to.lines() + " lines, found " + lineNo);
      }
      if (!prev.equals(to.head())) {
        return broken(from, lineNo, "last line does not hash to the chain head this node wrote");
      }
      return AuditVerification.intact(lineNo - from.lines());
    } catch (IOException e) {
      return broken(from, from.lines() + 1, "failed to read " + config.file() + ": " + e);
    }
  }

  private static AuditVerification broken(Checkpoint from, long line, String reason) {
    return new AuditVerification(false, line - 1 - from.lines(), line, reason);
  }

  private String checkLine(byte[] bytes, String expectedPrev) {
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (JacksonException e) {
      return "not valid JSON";
    }
    if (node == null || !node.isObject()) {
      return "not a JSON object";
    }
    List<String> names = List.copyOf(node.propertyNames());
    if (!names.equals(FIELDS)) {
      return "fields are " + names + ", expected " + FIELDS;
    }
    JsonNode ts = node.get("ts");
    try {
      Instant.parse(ts.isString() ? ts.asString() : "");
    } catch (DateTimeParseException e) {
      return "ts is not an ISO-8601 instant";
    }
    if (!node.get("size").isIntegralNumber()) {
      return "size is not an integer";
    }
    JsonNode prev = node.get("prev");
    if (!prev.isString() || !prev.asString().equals(expectedPrev)) {
      return expectedPrev.equals(GENESIS)
          ? "prev of the first line must be " + GENESIS
          : "prev does not match the hash of the previous line";
    }
    return null;
  }

  /** The hash of the last line written ({@link #GENESIS} for an empty log). */
  public synchronized String head() {
    return head;
  }

  /** Number of lines in the log. */
  public synchronized long lines() {
    return lines;
  }

  /** Bytes cut off a torn last line when the log was opened (0 normally). */
  public long truncatedTailBytes() {
    return truncatedTailBytes;
  }

  /** Appends that failed (write, sync, oversize line, or refused after an earlier failure). */
  public long appendFailures() {
    return appendFailures.get();
  }

  /** {@link #verify()} calls that found a broken chain. */
  public long verifyFailures() {
    return verifyFailures.get();
  }

  /** Fsyncs done for appends; {@code lines / syncs} is the group-commit size. */
  public long syncs() {
    return groupCommit.flushes();
  }

  public AuditLogConfig config() {
    return config;
  }

  /** Syncs and closes. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try {
        channel.force(true);
      } finally {
        channel.close();
      }
    } catch (IOException e) {
      throw new AuditLogException("failed to close audit log " + config.file() + ": " + e, e);
    }
  }

  /** Where the complete lines end, how many there are and the hash of the last. */
  private record Tail(long length, long lines, String hash) {}

  /** A position in the chain: byte offset after {@code lines} lines whose last hashes to head. */
  private record Checkpoint(long offset, long lines, String head) {
    static final Checkpoint START = new Checkpoint(0, 0, GENESIS);
  }

  private static Tail scanTail(FileChannel channel) throws IOException {
    MessageDigest digest = sha256();
    InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 65536);
    long pos = 0;
    long lastEnd = 0;
    long lines = 0;
    String hash = GENESIS;
    byte[] buf = new byte[65536];
    int n;
    while ((n = in.read(buf)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          digest.update(buf, start, i - start);
          hash = HEX.formatHex(digest.digest());
          lines++;
          lastEnd = pos + i + 1;
          start = i + 1;
        }
      }
      digest.update(buf, start, n - start);
      pos += n;
    }
    return new Tail(lastEnd, lines, hash);
  }

  private static String sha256Hex(byte[] bytes, int length) {
    MessageDigest digest = sha256();
    digest.update(bytes, 0, length);
    return HEX.formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
