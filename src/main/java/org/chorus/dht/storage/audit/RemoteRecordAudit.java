package org.chorus.dht.storage.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.p2p.core.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits the records that came from peers, as a {@link RecordListener} of the kad {@code Dht}: a
 * PUT_VALUE stored is {@code remote-put}/{@code accepted}, one refused is {@code remote-put}/{@code
 * refused:<reason>}, a value a lookup received and refused is {@code remote-get}/{@code
 * refused:<reason>}; the principal is the peer id, the address the DHT key (text when it is
 * printable ASCII, else {@code hex:<bytes>}), the role null.
 *
 * <p><b>Never blocks the caller.</b> The listener is called on Netty event loops, and an append
 * waits for an {@code fsync} (milliseconds), which would stall every connection of that loop. So a
 * call only counts and offers the line to a bounded queue ({@link
 * RemoteAuditConfig#queueCapacity()}; a full queue drops the line and counts it, {@link
 * #dropped()}); one writer thread ({@code audit-remote}) appends what is queued in batches, one
 * write and one sync per batch ({@link AuditLog#appendAll}). The price: the audit of a remote write
 * is asynchronous. The record was stored before its line is durable, a crash in between loses the
 * line, and a line's {@code ts} is when it was written (within a batch of the event). A line that
 * cannot be written is counted ({@link #failures()}, the failure callback), not retried: the write
 * it describes already happened.
 *
 * <p><b>Flood safety.</b> Per one-minute window each peer gets at most {@code refusedPerPeer}
 * refusal and {@code acceptedPerPeer} acceptance lines, and all peers together at most {@code
 * refusedTotal} and {@code acceptedTotal}; {@code maxTrackedPeers} peers are counted one by one.
 * Events beyond are counted ({@link #suppressed()}) and, when the window ends, summed into one
 * aggregate line per peer and kind ({@code refused:suppressed} or {@code accepted:suppressed},
 * {@code size} = the number of events left out), events beyond the totals or the tracked peers into
 * one per kind with principal {@code *}. A peer exceeds its own budget only after using it, so a
 * window holds at most {@code refusedTotal + 2 * refusedTotal / refusedPerPeer} refusal lines (with
 * the defaults 144, about 40 KiB) plus three {@code *} lines, however many peers (or peer ids)
 * send.
 *
 * <p>Thread-safe: the budgets are guarded by one lock (held for a few map operations), the queue is
 * concurrent.
 */
public final class RemoteRecordAudit implements RecordListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RemoteRecordAudit.class);

  /** The budget window. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** Principal of the aggregate lines of untracked or over-total events. */
  public static final String OTHER_PEERS = "*";

  /** Lines appended with one write and one sync. */
  static final int MAX_BATCH = 256;

  /** Longest key shown as text; a longer or binary one is shown as hex of its first bytes. */
  static final int MAX_KEY_BYTES_SHOWN = 256;

  /** How long the writer waits for a line before checking the window and whether to stop. */
  private static final long POLL_MILLIS = 250;

  private static final HexFormat HEX = HexFormat.of();

  /** The kinds of lines, each with its own suppression count. */
  private enum Kind {
    ACCEPTED(AuditEvent.REMOTE_PUT, false),
    REFUSED_PUT(AuditEvent.REMOTE_PUT, true),
    REFUSED_GET(AuditEvent.REMOTE_GET, true);

    final String operation;
    final boolean refused;

    Kind(String operation, boolean refused) {
      this.operation = operation;
      this.refused = refused;
    }

    String suppressedOutcome() {
      return refused ? "refused:suppressed" : "accepted:suppressed";
    }
  }

  /** One peer's use of the window. */
  private static final class PeerWindow {
    int acceptedLines;
    int refusedLines;
    final Map<Kind, Long> suppressed = new EnumMap<>(Kind.class);
  }

  private final AuditLog audit;
  private final RemoteAuditConfig config;
  private final Clock clock;
  private final Runnable onFailure;
  private final BlockingQueue<AuditEvent> queue;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastFailureLogged = new AtomicLong(Long.MIN_VALUE);
  private final Object lock = new Object();

  // guarded by lock
  private Instant windowEnd;
  private final Map<PeerId, PeerWindow> peers = new HashMap<>();
  private final Map<Kind, Long> otherSuppressed = new EnumMap<>(Kind.class);
  private int acceptedLines;
  private int refusedLines;
  private Thread writer;
  private boolean closed;

  private volatile boolean running;

  /**
   * @param onFailure called once per line that could not be written (the audit failure meter)
   */
  public RemoteRecordAudit(
      AuditLog audit, RemoteAuditConfig config, Clock clock, Runnable onFailure) {
    this.audit = audit;
    this.config = config.validate();
    this.clock = clock;
    this.onFailure = onFailure;
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
  }

  /** Starts the writer thread. Without it, lines wait in the queue until {@link #flush()}. */
  public void start() {
    synchronized (lock) {
      if (closed || writer != null) {
        return;
      }
      running = true;
      writer = new Thread(this::run, "audit-remote");
      writer.setDaemon(true);
      writer.start();
    }
  }

  @Override
  public void accepted(PeerId from, byte[] key) {
    offer(from, key, Kind.ACCEPTED, AuditEvent.ACCEPTED);
  }

  @Override
  public void refused(
      PeerId from, byte[] key, Source source, InvalidRecordException.Reason reason, String detail) {
    offer(
        from,
        key,
        source == Source.GET ? Kind.REFUSED_GET : Kind.REFUSED_PUT,
        "refused:" + reason.label());
  }

  private void offer(PeerId from, byte[] key, Kind kind, String outcome) {
    List<AuditEvent> due;
    boolean admitted;
    synchronized (lock) {
      if (closed) {
        dropped.incrementAndGet();
        return;
      }
      due = rollIfDue(clock.instant());
      admitted = admit(from, kind);
    }
    due.forEach(this::enqueue);
    if (admitted) {
      enqueue(new AuditEvent(principal(from), null, keyText(key), kind.operation, outcome, 0));
    } else {
      suppressed.incrementAndGet();
    }
  }

  /** Whether this event gets its own line; counts it either way. */
  private boolean admit(PeerId from, Kind kind) {
    PeerWindow peer = peers.get(from);
    if (peer == null && peers.size() < config.maxTrackedPeers()) {
      peer = new PeerWindow();
      peers.put(from, peer);
    }
    int total = kind.refused ? refusedLines : acceptedLines;
    if (peer == null || total >= (kind.refused ? config.refusedTotal() : config.acceptedTotal())) {
      otherSuppressed.merge(kind, 1L, Long::sum);
      return false;
    }
    int own = kind.refused ? peer.refusedLines : peer.acceptedLines;
    if (own >= (kind.refused ? config.refusedPerPeer() : config.acceptedPerPeer())) {
      peer.suppressed.merge(kind, 1L, Long::sum);
      return false;
    }
    if (kind.refused) {
      peer.refusedLines++;
      refusedLines++;
    } else {
      peer.acceptedLines++;
      acceptedLines++;
    }
    return true;
  }

  /** The aggregate lines of the window if it has ended at {@code now}, which starts a new one. */
  private List<AuditEvent> rollIfDue(Instant now) {
    if (windowEnd == null) {
      windowEnd = now.plus(WINDOW);
      return List.of();
    }
    if (now.isBefore(windowEnd)) {
      return List.of();
    }
    windowEnd = now.plus(WINDOW);
    return endWindow();
  }

  /** The aggregate lines of the current window; resets the budgets. */
  private List<AuditEvent> endWindow() {
    List<AuditEvent> lines = new ArrayList<>();
    peers.forEach(
        (peer, w) ->
            w.suppressed.forEach((kind, n) -> lines.add(aggregate(principal(peer), kind, n))));
    otherSuppressed.forEach((kind, n) -> lines.add(aggregate(OTHER_PEERS, kind, n)));
    peers.clear();
    otherSuppressed.clear();
    acceptedLines = 0;
    refusedLines = 0;
    return lines;
  }

  private static AuditEvent aggregate(String principal, Kind kind, long count) {
    return new AuditEvent(principal, null, null, kind.operation, kind.suppressedOutcome(), count);
  }

  private void enqueue(AuditEvent event) {
    if (!queue.offer(event)) {
      dropped.incrementAndGet();
    }
  }

  private void run() {
    while (running) {
      AuditEvent first;
      try {
        first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      writeBatch(first);
    }
  }

  /**
   * Writes what is queued and, if the window has ended, its aggregate lines: for tests (which step
   * the clock instead of running the writer thread) and for {@link #close()}.
   */
  public void flush() {
    while (writeBatch(null) > 0) {
      // until the queue is empty
    }
  }

  /** Rolls the window if due, then writes {@code first} and up to a batch of queued lines. */
  private int writeBatch(AuditEvent first) {
    List<AuditEvent> due;
    synchronized (lock) {
      due = rollIfDue(clock.instant());
    }
    due.forEach(this::enqueue);
    List<AuditEvent> batch = new ArrayList<>(MAX_BATCH);
    if (first != null) {
      batch.add(first);
    }
    queue.drainTo(batch, MAX_BATCH - batch.size());
    if (batch.isEmpty()) {
      return 0;
    }
    try {
      audit.appendAll(batch);
      written.addAndGet(batch.size());
    } catch (RuntimeException e) {
      failures.addAndGet(batch.size());
      batch.forEach(ignored -> onFailure.run());
      long now = clock.millis();
      long last = lastFailureLogged.get();
      if (now - last >= WINDOW.toMillis() && lastFailureLogged.compareAndSet(last, now)) {
        log.error("Failed to write {} remote-write audit lines: {}", batch.size(), e.toString());
      }
    }
    return batch.size();
  }

  /** Remote-write lines written. */
  public long written() {
    return written.get();
  }

  /** Lines dropped: the queue was full, or the audit was closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Events not written one by one for a budget (summed into aggregate lines). */
  public long suppressed() {
    return suppressed.get();
  }

  /** Lines whose append failed. */
  public long failures() {
    return failures.get();
  }

  /** Lines waiting for the writer. */
  public int queued() {
    return queue.size();
  }

  /**
   * Stops the writer, sums the current window's suppressed events into aggregate lines, and writes
   * what is queued. Later events are dropped (counted). Close it before the {@link AuditLog}.
   */
  @Override
  public void close() {
    Thread thread;
    List<AuditEvent> last;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      thread = writer;
      last = endWindow();
    }
    running = false;
    if (thread != null) {
      try {
        // not interrupted: an interrupt in the middle of a write would close the log's channel
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    last.forEach(this::enqueue);
    flush();
  }

  private static String principal(PeerId peer) {
    return peer == null ? null : peer.toString();
  }

  /** The key as printable ASCII text, or {@code hex:} and its first bytes. */
  static String keyText(byte[] key) {
    if (key == null) {
      return null;
    }
    boolean printable = key.length <= MAX_KEY_BYTES_SHOWN;
    for (int i = 0; printable && i < key.length; i++) {
      printable = key[i] > 0x20 && key[i] < 0x7f;
    }
    if (printable) {
      return new String(key, StandardCharsets.US_ASCII);
    }
    int shown = Math.min(key.length, MAX_KEY_BYTES_SHOWN / 2);
    return "hex:" + HEX.formatHex(key, 0, shown) + (shown < key.length ? "..." : "");
  }
}
