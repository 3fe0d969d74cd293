package org.chorus.dht.storage.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.storage.audit.AuditAnchor.State;
import org.chorus.dht.storage.audit.AuditCheckpoint.Kind;
import org.chorus.dht.store.DataStore;
import org.chorus.dht.store.GroupCommit;
import org.chorus.dht.store.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Append-only, hash-chained audit log with signed checkpoints: one JSON object per line in {@code
 * <dataDir>/audit.log}, and the last signed checkpoint in {@code <dataDir>/audit.checkpoint}.
 *
 * <p><b>Lines.</b> An event line is {@code {"ts","node","principal","role","address","operation",
 * "outcome","size","prev"}} in that order, where {@code ts} is ISO-8601 UTC and {@code prev} is the
 * lower-case hex SHA-256 of the previous line's exact bytes, without its {@code \n} (64 zeros on
 * the first line). A checkpoint line is {@code
 * {"ts","node","operation":"checkpoint","peer","lines", "prev","sig"}}: the node's Ed25519
 * signature ({@link AuditCheckpoint}, kind {@code line}) over "the {@code lines} lines before me
 * end in {@code prev}". Both kinds are links of the one chain. Changing, deleting, inserting or
 * reordering a line breaks the chain at the next line; {@link #verify()} finds the first break, and
 * also compares the end of the chain with the hash this instance last wrote, so while the node runs
 * even the last line is covered.
 *
 * <p><b>Checkpoints.</b> A checkpoint is written after every {@link
 * AuditLogConfig#checkpointEvery()} event lines, when a new or unanchored log is opened and when
 * the log is closed: a checkpoint line is appended, the log is synced, then {@code
 * audit.checkpoint} is replaced atomically (temporary file, sync, rename, directory sync) by a
 * signed statement (kind {@code file}) covering every line including that checkpoint line. They
 * live in both places for different reasons. The file is the anchor: lines cut from the end of the
 * log take the lines the file covers with them, which the file proves were there. The lines make
 * the log self-describing: anyone with the node's public key can check which prefixes the node
 * vouched for, and a log that holds checkpoint lines but has lost its file was tampered with, not
 * written before checkpoints existed. The file's signed message differs from a line's, so a
 * checkpoint line left in a cut log cannot be copied into a fake file.
 *
 * <p><b>Start check.</b> {@link #open} verifies the whole chain (checkpoint lines must carry this
 * node's signature) and that the log extends the checkpoint file ({@link #anchor()}): the file must
 * be signed by this node's key, and the log's first {@code lines} lines must end in the file's
 * {@code head}. Lines after the checkpoint are the normal result of a crash (they were written
 * after the last checkpoint and before the node stopped without closing) and are not tampering; a
 * log shorter than the checkpoint ({@link State#CUT_TAIL}), a different prefix ({@link
 * State#REWRITTEN}, e.g. a fresh valid chain), a foreign or unreadable file, or checkpoint lines
 * without a file are. A log with neither file nor checkpoint lines is one written before this
 * version: it is {@link State#UNANCHORED}, gets an {@code audit}/{@code unanchored} line and a
 * first checkpoint. A tampered log gets an {@code audit}/{@code tampered:<state>} line and is kept
 * as found; appends continue, with checkpoint lines, but the checkpoint file is not replaced, so
 * the finding stands at every start until an operator moves both files aside as evidence.
 *
 * <p><b>Attacker model.</b> Detected: someone who can write the data directory but does not hold
 * the node key ({@code node-identity.key}) and edits, inserts, reorders or deletes lines, cuts the
 * tail after a clean shutdown, or replaces the log (and possibly the file) by one they made. Not
 * detected, by design or by limit: (1) whoever holds the node key can sign any checkpoint, so
 * reading the key file is as good as forging the log; (2) restoring an older copy of both files
 * taken earlier (a rollback) looks like a node that stopped then; (3) deleting both files, or
 * deleting the file and every checkpoint line, looks like a new or a pre-checkpoint log (reported
 * as {@link State#NEW} or {@link State#UNANCHORED}, not as tampering); (4) after a crash, the lines
 * written since the last checkpoint (fewer than {@code checkpointEvery}) are covered by the chain
 * only, so changing or cutting them is not detected. Anchoring outside the node closes (2) and (3):
 * export {@link #lastCheckpoint()} (the auditChain health details, the {@code
 * chorus_audit_checkpoint_lines} gauge) and alert when it goes back.
 *
 * <p><b>Durability.</b> An append is written with one {@code write} of its lines and, under the
 * default {@link AuditLogConfig.SyncPolicy#GROUP}, made durable with {@code fsync} before {@link
 * #append} returns; concurrent appends share one {@code fsync} ({@link GroupCommit}). An append
 * that crosses a checkpoint syncs the log and writes the checkpoint file inside the lock (about
 * three syncs every {@code checkpointEvery} lines), so the file never names a line that is not
 * durable. If a write or sync fails the log stops accepting appends ({@link AuditLogException})
 * rather than chain onto a half-written line; a restart recovers.
 *
 * <p><b>Reopen.</b> {@link #open} continues the chain from the last complete line. A last line
 * without its {@code \n} (a crash in the middle of a write, never acknowledged) is cut off and
 * reported by {@link #truncatedTailBytes()}.
 *
 * <p><b>Thread-safety.</b> Thread-safe: appends are serialised by a lock (the chain needs a total
 * order); the group sync runs outside it; {@link #verify()} reads a snapshot without blocking
 * appends.
 */
public final class AuditLog implements Closeable {

  /** Longest value of a string field; longer ones are cut (an address is at most 1024). */
  public static final int MAX_FIELD_CHARS = 1100;

  /** {@code prev} of the first line. */
  public static final String GENESIS = "0".repeat(64);

  /** {@code operation} of a checkpoint line. */
  public static final String CHECKPOINT = "checkpoint";

  /** {@code format} of {@code audit.checkpoint}. */
  public static final String CHECKPOINT_FORMAT = "chorus-dht-audit-checkpoint/1";

  /** A checkpoint file larger than this is not read. */
  static final int MAX_CHECKPOINT_FILE_BYTES = 4096;

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> FIELDS =
      List.of("ts", "node", "principal", "role", "address", "operation", "outcome", "size", "prev");
  private static final List<String> CHECKPOINT_FIELDS =
      List.of("ts", "node", "operation", "peer", "lines", "prev", "sig");
  private static final List<String> CHECKPOINT_FILE_FIELDS =
      List.of("format", "ts", "peer", "lines", "head", "sig");

  private final AuditLogConfig config;
  private final AuditSigner signer;
  private final Clock clock;
  private final FileChannel channel;
  private final GroupCommit groupCommit;

  /** The data store whose durability points this log's appends share; null: its own syncs. */
  private volatile DataStore joined;

  private final long truncatedTailBytes;
  private final AtomicLong appendFailures = new AtomicLong();
  private final AtomicLong verifyFailures = new AtomicLong();
  private final AtomicLong checkpointsWritten = new AtomicLong();
  private final Object verifyLock = new Object();

  // guarded by verifyLock
  private Position verified = Position.START;

  // guarded by this
  private String head;
  private long chainLines;
  private long checkpointLines;
  private long sinceCheckpoint;
  private long size;
  private AuditCheckpoint lastCheckpoint;
  private AuditAnchor anchor;
  private AuditVerification startVerification;
  private boolean anchorFrozen;
  private boolean failed;
  private boolean closed;

  private AuditLog(
      AuditLogConfig config,
      AuditSigner signer,
      Clock clock,
      FileChannel channel,
      Tail tail,
      long truncatedTailBytes) {
    this.config = config;
    this.signer = signer;
    this.clock = clock;
    this.channel = channel;
    this.head = tail.hash();
    this.chainLines = tail.lines();
    this.size = tail.length();
    this.truncatedTailBytes = truncatedTailBytes;
    this.groupCommit = new GroupCommit(() -> channel.force(false));
  }

  /**
   * Opens (creating if absent) the log, positions the chain after its last complete line and runs
   * the start check ({@link #startVerification()}, {@link #anchor()}); writes a first checkpoint
   * for a new or unanchored log.
   *
   * @param signer the node key: signs new checkpoints, and the ones found must be its own
   * @throws AuditLogException if the files cannot be read or written
   */
  public static AuditLog open(AuditLogConfig config, AuditSigner signer, Clock clock) {
    config.validate();
    Objects.requireNonNull(signer, "signer");
    Path file = config.file();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(temporaryCheckpointFile(config));
      Stored stored = readCheckpointFile(config.checkpointFile());
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        Tail tail =
            scanTail(channel, stored.checkpoint() == null ? -1 : stored.checkpoint().lines());
        long cut = channel.size() - tail.length();
        if (cut > 0) {
          channel.truncate(tail.length());
          channel.force(true);
        }
        channel.position(tail.length());
        AuditLog log = new AuditLog(config, signer, clock, channel, tail, cut);
        log.start(stored, tail);
        return log;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new AuditLogException("failed to open audit log " + file + ": " + e, e);
    }
  }

  private synchronized void start(Stored stored, Tail tail) throws IOException {
    Scan scan = check(Position.START, new Position(size, chainLines, head));
    startVerification = scan.verification();
    if (scan.verification().ok()) {
      synchronized (verifyLock) {
        verified = new Position(size, chainLines, head);
      }
    } else {
      verifyFailures.incrementAndGet();
    }
    checkpointLines = scan.checkpointLines();
    // lines after a break were not parsed: count them as events since the last checkpoint
    sinceCheckpoint = scan.sinceCheckpoint() + (chainLines - scan.linesRead());
    anchor = judge(stored, tail, scan.checkpointLines());
    lastCheckpoint = stored.checkpoint();
    anchorFrozen = anchor.tampered();
    Instant now = clock.instant();
    switch (anchor.state()) {
      case NEW -> checkpointLocked(now);
      case UNANCHORED -> {
        writeLocked(encode(List.of(auditEvent("unanchored", lines())), now, false));
        checkpointLocked(now);
      }
      case ANCHORED -> {}
      default -> {
        writeLocked(
            encode(List.of(auditEvent("tampered:" + anchor.state().label(), 0)), now, false));
        channel.force(false);
      }
    }
  }

  private static AuditEvent auditEvent(String outcome, long size) {
    return new AuditEvent(null, null, null, AuditEvent.AUDIT, outcome, size);
  }

  /** The start check's verdict on the checkpoint file against the log as found. */
  private AuditAnchor judge(Stored stored, Tail tail, long checkpointLinesInLog) {
    String file = AuditLogConfig.CHECKPOINT_FILE_NAME;
    if (!stored.present()) {
      if (tail.lines() == 0) {
        return new AuditAnchor(State.NEW, "a new audit log", null);
      }
      if (checkpointLinesInLog > 0) {
        return new AuditAnchor(
            State.CHECKPOINT_MISSING,
            "the log holds "
                + checkpointLinesInLog
                + " signed checkpoint lines but "
                + file
                + " is missing: it was deleted, and lines after its checkpoint may be missing",
            null);
      }
      return new AuditAnchor(
          State.UNANCHORED,
          "a log of "
              + tail.lines()
              + " lines without checkpoints (written before checkpoints existed, or stripped of"
              + " them): nothing proves it is complete; anchored by a checkpoint from now on",
          null);
    }
    if (stored.problem() != null) {
      return new AuditAnchor(State.CHECKPOINT_UNREADABLE, file + " " + stored.problem(), null);
    }
    AuditCheckpoint cp = stored.checkpoint();
    if (!cp.signedBy(Kind.FILE, signer)) {
      return new AuditAnchor(
          State.FOREIGN_CHECKPOINT,
          file
              + " is not signed by this node's key ("
              + signer.peerId()
              + (cp.peer().equals(signer.peerId())
                  ? "): the signature does not verify"
                  : "): it names peer " + cp.peer()),
          cp);
    }
    if (tail.lines() < cp.lines()) {
      return new AuditAnchor(
          State.CUT_TAIL,
          "the log has "
              + tail.lines()
              + " lines but the signed checkpoint of "
              + cp.ts()
              + " covers "
              + cp.lines()
              + ": its last "
              + (cp.lines() - tail.lines())
              + " lines were removed",
          cp);
    }
    if (!cp.head().equals(tail.hashAtAnchor())) {
      return new AuditAnchor(
          State.REWRITTEN,
          "line "
              + cp.lines()
              + " does not hash to the head of the signed checkpoint of "
              + cp.ts()
              + ": the log was replaced or rewritten",
          cp);
    }
    long after = tail.lines() - cp.lines();
    return new AuditAnchor(
        State.ANCHORED,
        after == 0
            ? "the log ends at the signed checkpoint of " + cp.ts()
            : "the log extends the signed checkpoint of "
                + cp.ts()
                + " by "
                + after
                + " lines written after it (the node stopped without closing the log)",
        cp);
  }

  /**
   * Appends one line for {@code event}, stamped with the clock and this node's id.
   *
   * @return the chain hash after the append (the next line's {@code prev})
   * @throws AuditLogException if the line cannot be written or synced, or the log has failed
   */
  public String append(AuditEvent event) {
    return appendAll(List.of(event));
  }

  /**
   * Appends one line per event in order, written with one {@code write} and made durable with one
   * sync: for a writer that batches (the remote write audit). All or none are written.
   *
   * @return the chain hash after the append
   * @throws AuditLogException as {@link #append}
   */
  public String appendAll(List<AuditEvent> events) {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("no audit events to append");
    }
    long ticket;
    String hash;
    DataStore unitOf;
    synchronized (this) {
      if (closed) {
        throw new AuditLogException("audit log " + config.file() + " is closed");
      }
      if (failed) {
        appendFailures.incrementAndGet();
        throw new AuditLogException(
            "audit log " + config.file() + " failed earlier; restart the node to recover");
      }
      Instant now = clock.instant();
      List<Line> lines = encode(events, now, true);
      try {
        writeLocked(lines);
        if (lines.stream().anyMatch(Line::checkpoint)) {
          // The checkpoint file must never name lines that are not durable.
          channel.force(false);
          writeCheckpointFileLocked(now);
          return head;
        }
      } catch (IOException e) {
        failed = true;
        appendFailures.incrementAndGet();
        throw new AuditLogException("failed to append to audit log " + config.file() + ": " + e, e);
      }
      hash = head;
      // inside a unit of work of the joined store (a store, a delete) the line is durable at the
      // unit's flush; elsewhere (an audited read) a force of this file alone is enough
      unitOf = joined != null && joined.inUnit() ? joined : null;
      ticket = unitOf != null ? unitOf.register() : groupCommit.register();
    }
    if (config.sync() == AuditLogConfig.SyncPolicy.GROUP) {
      try {
        DataStore data = unitOf;
        if (data != null) {
          data.awaitDurable(ticket);
        } else {
          groupCommit.awaitDurable(ticket);
        }
      } catch (IOException | StoreException e) {
        synchronized (this) {
          failed = true;
        }
        appendFailures.incrementAndGet();
        throw new AuditLogException("failed to sync audit log " + config.file() + ": " + e, e);
      }
    }
    return hash;
  }

  /** One encoded line, its chain hash, and whether it is a checkpoint line. */
  private record Line(byte[] bytes, String hash, boolean checkpoint) {}

  /**
   * The lines for {@code events} continuing the chain, with a checkpoint line wherever {@code
   * checkpointEvery} is reached (when {@code checkpoints}). Changes no state.
   */
  private List<Line> encode(List<AuditEvent> events, Instant now, boolean checkpoints) {
    List<Line> out = new ArrayList<>(events.size() + 1);
    String prev = head;
    long lines = chainLines;
    long since = sinceCheckpoint;
    for (AuditEvent event : events) {
      byte[] bytes = encodeEvent(event, now, prev);
      if (bytes.length > config.maxLineBytes()) {
        appendFailures.incrementAndGet();
        throw new AuditLogException(
            "audit line of " + bytes.length + " bytes exceeds " + config.maxLineBytes() + " bytes");
      }
      prev = sha256Hex(bytes, bytes.length);
      out.add(new Line(bytes, prev, false));
      lines++;
      since++;
      if (checkpoints && since >= config.checkpointEvery()) {
        byte[] cp = encodeCheckpointLine(AuditCheckpoint.sign(Kind.LINE, lines, prev, now, signer));
        prev = sha256Hex(cp, cp.length);
        out.add(new Line(cp, prev, true));
        lines++;
        since = 0;
      }
    }
    return out;
  }

  /** Writes {@code lines} with one write and moves the chain past them. */
  private void writeLocked(List<Line> lines) throws IOException {
    int total = 0;
    for (Line line : lines) {
      total += line.bytes().length + 1;
    }
    ByteBuffer buffer = ByteBuffer.allocate(total);
    for (Line line : lines) {
      buffer.put(line.bytes()).put((byte) '\n');
    }
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    for (Line line : lines) {
      head = line.hash();
      chainLines++;
      size += line.bytes().length + 1;
      if (line.checkpoint()) {
        checkpointLines++;
        sinceCheckpoint = 0;
      } else {
        sinceCheckpoint++;
      }
    }
  }

  /** Appends a checkpoint line, syncs, and replaces the checkpoint file. */
  private void checkpointLocked(Instant now) throws IOException {
    byte[] bytes =
        encodeCheckpointLine(AuditCheckpoint.sign(Kind.LINE, chainLines, head, now, signer));
    writeLocked(List.of(new Line(bytes, sha256Hex(bytes, bytes.length), true)));
    channel.force(false);
    writeCheckpointFileLocked(now);
  }

  /** Replaces {@code audit.checkpoint} by one covering every line, unless the anchor is frozen. */
  private void writeCheckpointFileLocked(Instant now) throws IOException {
    if (anchorFrozen) {
      return;
    }
    AuditCheckpoint cp = AuditCheckpoint.sign(Kind.FILE, chainLines, head, now, signer);
    ObjectNode node = JSON.createObjectNode();
    node.put("format", CHECKPOINT_FORMAT);
    node.put("ts", cp.ts().toString());
    node.put("peer", cp.peer());
    node.put("lines", cp.lines());
    node.put("head", cp.head());
    node.put("sig", cp.signature());
    byte[] bytes = JSON.writeValueAsBytes(node);
    Path target = config.checkpointFile();
    Path tmp = temporaryCheckpointFile(config);
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.toAbsolutePath().getParent());
    lastCheckpoint = cp;
    checkpointsWritten.incrementAndGet();
  }

  private static Path temporaryCheckpointFile(AuditLogConfig config) {
    return config.dataDir().resolve(AuditLogConfig.CHECKPOINT_FILE_NAME + ".tmp");
  }

  /** Makes a rename durable; a no-op where directories cannot be opened (not POSIX). */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not supported on this platform: the rename is as durable as the file system makes it
    }
  }

  private byte[] encodeEvent(AuditEvent event, Instant ts, String prev) {
    ObjectNode node = JSON.createObjectNode();
    node.put("ts", ts.toString());
    node.put("node", clean(config.nodeId()));
    node.put("principal", clean(event.principal()));
    node.put("role", clean(event.role()));
    node.put("address", clean(event.address()));
    node.put("operation", clean(event.operation()));
    node.put("outcome", clean(event.outcome()));
    node.put("size", event.size());
    node.put("prev", prev);
    return JSON.writeValueAsBytes(node);
  }

  private byte[] encodeCheckpointLine(AuditCheckpoint cp) {
    ObjectNode node = JSON.createObjectNode();
    node.put("ts", cp.ts().toString());
    node.put("node", clean(config.nodeId()));
    node.put("operation", CHECKPOINT);
    node.put("peer", cp.peer());
    node.put("lines", cp.lines());
    node.put("prev", cp.head());
    node.put("sig", cp.signature());
    return JSON.writeValueAsBytes(node);
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
   * prev} is the hash of the line before, checkpoint lines signed by this node's key. Also checks
   * that the chain ends where this instance's last append left it. Never throws for a bad log; a
   * failure is counted in {@link #verifyFailures()}. Cost is linear in the file size. It does not
   * repeat the comparison with the checkpoint file, which {@link #anchor()} holds.
   */
  public AuditVerification verify() {
    return verifyFrom(Position.START);
  }

  /**
   * Checks only the lines appended since the last successful {@link #verify()} or {@code
   * verifyIncremental()} (all lines if there was none), plus the chain head. Cheap enough for a
   * health indicator; it cannot see a change to a line that was already checked, which is what the
   * full {@link #verify()} at startup is for. The result counts the lines checked in this call.
   */
  public AuditVerification verifyIncremental() {
    Position from;
    synchronized (verifyLock) {
      from = verified;
    }
    return verifyFrom(from);
  }

  private AuditVerification verifyFrom(Position from) {
    Position to;
    synchronized (this) {
      to = new Position(size, chainLines, head);
    }
    AuditVerification result = check(from, to).verification();
    if (result.ok()) {
      synchronized (verifyLock) {
        if (to.offset() >= verified.offset()) {
          verified = to;
        }
      }
    } else {
      verifyFailures.incrementAndGet();
    }
    return result;
  }

  /**
   * A pass over lines {@code from}..{@code to}: the verification, and for the lines read (up to a
   * break) how many were checkpoint lines and how many event lines followed the last of them.
   */
  private record Scan(
      AuditVerification verification, long linesRead, long checkpointLines, long sinceCheckpoint) {}

  private Scan check(Position from, Position to) {
    long checkpoints = 0;
    long since = 0;
    long lineNo = from.lines();
    try (FileChannel in = FileChannel.open(config.file(), StandardOpenOption.READ)) {
      in.position(from.offset());
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      byte[] buf = buffer.array();
      long remaining = to.offset() - from.offset();
      String prev = from.head();
      ByteArrayOutputStream line = new ByteArrayOutputStream(512);
      while (remaining > 0) {
        buffer.clear().limit((int) Math.min(buf.length, remaining));
        int n = in.read(buffer);
        if (n < 0) {
          return broken(from, lineNo, "file is shorter than written", checkpoints, since);
        }
        remaining -= n;
        int start = 0;
        for (int i = 0; i <= n; i++) {
          boolean end = i < n && buf[i] == '\n';
          if (!end && i < n) {
            continue;
          }
          if (line.size() + (i - start) > config.maxLineBytes()) {
            return broken(
                from,
                lineNo,
                "line longer than " + config.maxLineBytes() + " bytes",
                checkpoints,
                since);
          }
          line.write(buf, start, i - start);
          start = i + 1;
          if (!end) {
            break;
          }
          lineNo++;
          byte[] bytes = line.toByteArray();
          line.reset();
          Checked checked = checkLine(bytes, prev, lineNo);
          if (checked.problem() != null) {
            return broken(from, lineNo - 1, checked.problem(), checkpoints, since);
          }
          if (checked.checkpoint()) {
            checkpoints++;
            since = 0;
          } else {
            since++;
          }
          prev = sha256Hex(bytes, bytes.length);
        }
      }
      if (line.size() > 0) {
        return broken(from, lineNo, "last line is not terminated", checkpoints, since);
      }
      if (lineNo != to.lines()) {
        return broken(
            from, lineNo, "expected " + to.lines() + " lines, found " + lineNo, checkpoints, since);
      }
      if (!prev.equals(to.head())) {
        return broken(
            from,
            lineNo - 1,
            "last line does not hash to the chain head this node wrote",
            checkpoints,
            since);
      }
      return new Scan(AuditVerification.intact(lineNo - from.lines()), lineNo, checkpoints, since);
    } catch (IOException e) {
      return broken(
          from, from.lines(), "failed to read " + config.file() + ": " + e, checkpoints, since);
    }
  }

  /** A scan that stopped at line {@code goodLines + 1} for {@code reason}. */
  private static Scan broken(
      Position from, long goodLines, String reason, long checkpoints, long since) {
    return new Scan(
        new AuditVerification(false, goodLines - from.lines(), goodLines + 1, reason),
        goodLines,
        checkpoints,
        since);
  }

  /** A checked line: its problem (null when fine) and whether it is a checkpoint line. */
  private record Checked(boolean checkpoint, String problem) {
    static final Checked EVENT = new Checked(false, null);
    static final Checked CHECKPOINT = new Checked(true, null);

    static Checked problem(String problem) {
      return new Checked(false, problem);
    }
  }

  private Checked checkLine(byte[] bytes, String expectedPrev, long lineNo) {
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JacksonException e) {
      return Checked.problem("not valid JSON");
    }
    if (node == null || !node.isObject()) {
      return Checked.problem("not a JSON object");
    }
    List<String> names = List.copyOf(node.propertyNames());
    boolean checkpoint = names.equals(CHECKPOINT_FIELDS);
    if (!checkpoint && !names.equals(FIELDS)) {
      return Checked.problem("fields are " + names + ", expected " + FIELDS);
    }
    Instant ts = instant(node.get("ts"));
    if (ts == null) {
      return Checked.problem("ts is not an ISO-8601 instant");
    }
    if (!checkpoint && !node.get("size").isIntegralNumber()) {
      return Checked.problem("size is not an integer");
    }
    if (checkpoint) {
      if (!CHECKPOINT.equals(text(node.get("operation")))) {
        return Checked.problem("operation of a checkpoint line is not " + CHECKPOINT);
      }
      JsonNode lines = node.get("lines");
      if (!lines.isIntegralNumber() || lines.asLong() != lineNo - 1) {
        return Checked.problem(
            "checkpoint line counts " + lines + " lines before it, expected " + (lineNo - 1));
      }
    }
    JsonNode prev = node.get("prev");
    if (!prev.isString() || !prev.asString().equals(expectedPrev)) {
      return Checked.problem(
          expectedPrev.equals(GENESIS)
              ? "prev of the first line must be " + GENESIS
              : "prev does not match the hash of the previous line");
    }
    if (!checkpoint) {
      return Checked.EVENT;
    }
    String peer = text(node.get("peer"));
    String sig = text(node.get("sig"));
    if (peer == null
        || sig == null
        || !new AuditCheckpoint(lineNo - 1, expectedPrev, ts, peer, sig)
            .signedBy(Kind.LINE, signer)) {
      return Checked.problem(
          "checkpoint line is not signed by this node's key ("
              + signer.peerId()
              + (signer.peerId().equals(peer) ? ")" : "; it names peer " + peer + ")"));
    }
    return Checked.CHECKPOINT;
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.asString() : null;
  }

  private static Instant instant(JsonNode node) {
    String s = text(node);
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The hash of the last line written ({@link #GENESIS} for an empty log). */
  public synchronized String head() {
    return head;
  }

  /** Number of event lines in the log (checkpoint lines not counted). */
  public synchronized long lines() {
    return chainLines - checkpointLines;
  }

  /** Number of checkpoint lines in the log. */
  public synchronized long checkpointLines() {
    return checkpointLines;
  }

  /**
   * The last signed checkpoint file: the one written last, else the one found at open (null when
   * there is none). While the anchor is frozen (tampering found at start) it is the one found.
   */
  public synchronized AuditCheckpoint lastCheckpoint() {
    return lastCheckpoint;
  }

  /** What the start check found comparing the log with the checkpoint file. */
  public synchronized AuditAnchor anchor() {
    return anchor;
  }

  /** The full chain verification run by {@link #open}. */
  public synchronized AuditVerification startVerification() {
    return startVerification;
  }

  /**
   * Whether appends are accepted: false once a write or sync failed (until a restart) or the log
   * was closed.
   */
  public synchronized boolean writable() {
    return !failed && !closed;
  }

  /** Bytes cut off a torn last line when the log was opened (0 normally). */
  public long truncatedTailBytes() {
    return truncatedTailBytes;
  }

  /** Appends that failed (write, sync, oversize line, or refused after an earlier failure). */
  public long appendFailures() {
    return appendFailures.get();
  }

  /** {@link #verify()} calls (and the start check) that found a broken chain. */
  public long verifyFailures() {
    return verifyFailures.get();
  }

  /** Checkpoint files written by this instance. */
  public long checkpointsWritten() {
    return checkpointsWritten.get();
  }

  /**
   * Joins this log to {@code data}'s durability points: from now on an append is durable when the
   * data store's flush (which forces this file too) covering it completes, so a store and its audit
   * line share one group commit, and inside a {@linkplain DataStore#durably unit of work} the
   * append waits for the unit's end. Call once, before appends start.
   */
  public void joinTo(DataStore data) {
    data.join(
        () -> {
          try {
            if (channel.isOpen()) {
              channel.force(false);
            }
          } catch (java.nio.channels.ClosedChannelException closing) {
            // closed meanwhile: close() forced every line first
          }
        });
    joined = data;
  }

  /** Fsyncs this log did for appends outside a unit of work of its joined store. */
  public long syncs() {
    return groupCommit.flushes();
  }

  public AuditLogConfig config() {
    return config;
  }

  /** Writes a last checkpoint (if lines were added since the last one), syncs and closes. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try {
        boolean fileBehind =
            !anchorFrozen && (lastCheckpoint == null || lastCheckpoint.lines() != chainLines);
        if (!failed && (sinceCheckpoint > 0 || fileBehind)) {
          checkpointLocked(clock.instant());
        }
        channel.force(true);
      } finally {
        channel.close();
      }
    } catch (IOException e) {
      throw new AuditLogException("failed to close audit log " + config.file() + ": " + e, e);
    }
  }

  /**
   * Where the complete lines end, how many there are, the hash of the last, and the hash of line
   * {@code anchorLines} (null when the log is shorter or no anchor was asked for).
   */
  private record Tail(long length, long lines, String hash, String hashAtAnchor) {}

  /** A position in the chain: byte offset after {@code lines} lines whose last hashes to head. */
  private record Position(long offset, long lines, String head) {
    static final Position START = new Position(0, 0, GENESIS);
  }

  /** The checkpoint file as found: absent, unreadable ({@code problem}) or a checkpoint. */
  private record Stored(boolean present, AuditCheckpoint checkpoint, String problem) {
    static final Stored ABSENT = new Stored(false, null, null);

    static Stored unreadable(String problem) {
      return new Stored(true, null, problem);
    }
  }

  private static Stored readCheckpointFile(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Stored.ABSENT;
    }
    long length = Files.size(file);
    if (length > MAX_CHECKPOINT_FILE_BYTES) {
      return Stored.unreadable("is " + length + " bytes, too large for a checkpoint");
    }
    JsonNode node;
    try {
      node = JSON.readTree(Files.readAllBytes(file));
    } catch (JacksonException e) {
      return Stored.unreadable("is not valid JSON");
    }
    if (node == null
        || !node.isObject()
        || !List.copyOf(node.propertyNames()).equals(CHECKPOINT_FILE_FIELDS)) {
      return Stored.unreadable("does not have the fields " + CHECKPOINT_FILE_FIELDS);
    }
    if (!CHECKPOINT_FORMAT.equals(text(node.get("format")))) {
      return Stored.unreadable("is not of format " + CHECKPOINT_FORMAT);
    }
    Instant ts = instant(node.get("ts"));
    JsonNode lines = node.get("lines");
    String head = text(node.get("head"));
    String peer = text(node.get("peer"));
    String sig = text(node.get("sig"));
    if (ts == null
        || !lines.isIntegralNumber()
        || lines.asLong() < 1
        || head == null
        || head.length() != 64
        || peer == null
        || sig == null) {
      return Stored.unreadable("has a field of the wrong type");
    }
    return new Stored(true, new AuditCheckpoint(lines.asLong(), head, ts, peer, sig), null);
  }

  private static Tail scanTail(FileChannel channel, long anchorLines) throws IOException {
    MessageDigest digest = sha256();
    InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 65536);
    long pos = 0;
    long lastEnd = 0;
    long lines = 0;
    String hash = GENESIS;
    String atAnchor = anchorLines == 0 ? GENESIS : null;
    byte[] buf = new byte[65536];
    int n;
    while ((n = in.read(buf)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          digest.update(buf, start, i - start);
          hash = HEX.formatHex(digest.digest());
          lines++;
          if (lines == anchorLines) {
            atAnchor = hash;
          }
          lastEnd = pos + i + 1;
          start = i + 1;
        }
      }
      digest.update(buf, start, n - start);
      pos += n;
    }
    return new Tail(lastEnd, lines, hash, atAnchor);
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
