package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.records.RecordGate;
import org.chorus.dht.kad.rpc.KadWorkPoolTest.ManualExecutor;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamListener;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.Test;

/**
 * The request handler's stream sessions with the work pool and rate limit: a blocked (manual) pool,
 * a stepped ticker and a fake stream, so every step is deterministic.
 */
class KadRequestSessionTest {
  static final PeerId SELF = IdentityKey.generate().peerId();
  static final PeerId PEER = IdentityKey.generate().peerId();

  final SteppingClock clock = new SteppingClock();
  final InMemoryRecordStore records = new InMemoryRecordStore(clock);
  final ManualExecutor workers = new ManualExecutor();
  final List<Runnable> timeouts = new CopyOnWriteArrayList<>();

  KadRequestHandler handler(KadWorkPool pool, PeerRateLimiter limiter) {
    return new KadRequestHandler(
        SELF,
        List::of,
        id -> List.of(),
        new RecordGate(records, NamespacedValidator.permissiveChorus()),
        new InMemoryProviderStore(clock),
        (key, n) -> List.of(),
        clock,
        Duration.ofSeconds(10),
        (d, t) -> timeouts.add(t),
        20,
        pool,
        limiter);
  }

  /** A stream whose writes, FIN and reset are recorded; the test plays the peer. */
  static final class FakeStream implements Stream {
    final List<byte[]> answers = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile StreamListener listener;
    volatile boolean reset;
    volatile boolean closedWrite;

    @Override
    public ProtocolId protocol() {
      return ProtocolId.of("/CHORUS/kad/1.0.0");
    }

    @Override
    public Connection connection() {
      throw new UnsupportedOperationException();
    }

    @Override
    public PeerId remotePeer() {
      return PEER;
    }

    @Override
    public void setListener(StreamListener l) {
      listener = l;
    }

    @Override
    public CompletableFuture<Void> write(byte[] data) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
      int len = (int) Varint.readComplete(b);
      byte[] msg = new byte[len];
      b.get(msg);
      answers.add(msg);
      events.add("answer");
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
      closedWrite = true;
      events.add("fin");
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reset() {
      reset = true;
      events.add("reset");
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return new CompletableFuture<>();
    }

    void send(byte[] message) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(Varint.encode(message.length));
      out.writeBytes(message);
      listener.onData(this, out.toByteArray());
    }

    void finish() {
      listener.onRemoteClose(this);
    }
  }

  static byte[] ping() {
    return KadCodec.encode(KadMessage.request(KadMessage.Type.PING, new byte[0]));
  }

  static byte[] put(String key, String value) {
    return KadCodec.encode(
        KadMessage.putValue(
            new KadRecord(
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void theEventLoopOnlyDispatches_theAnswerIsWrittenWhenTheWorkIsDone() {
    KadRequestHandler h =
        handler(KadWorkPool.over(workers, 8, 1 << 20), PeerRateLimiter.unlimited());
    FakeStream s = new FakeStream();
    h.handle(s);
    s.send(put("/CHORUS/ucxl/a", "v"));
    assertThat(records.size()).as("nothing stored on the I/O thread").isZero();
    assertThat(s.answers).isEmpty();
    workers.runOne();
    assertThat(records.size()).isEqualTo(1);
    assertThat(s.answers).hasSize(1);
    assertThat(h.served()).isEqualTo(1);
  }

  @Test
  void aFullWorkQueueResetsTheStream_andIsCounted() {
    KadWorkPool pool = KadWorkPool.over(workers, 2, 1 << 20);
    KadRequestHandler h = handler(pool, PeerRateLimiter.unlimited());
    FakeStream[] streams = new FakeStream[3];
    for (int i = 0; i < 3; i++) {
      streams[i] = new FakeStream();
      h.handle(streams[i]);
      streams[i].send(ping());
    }
    assertThat(streams[0].reset).isFalse();
    assertThat(streams[1].reset).isFalse();
    assertThat(streams[2].reset).as("cap + 1: refused").isTrue();
    assertThat(pool.refused()).isEqualTo(1);
    assertThat(h.rejected()).isEqualTo(1);
    workers.runAll();
    assertThat(streams[0].answers).hasSize(1);
    assertThat(streams[1].answers).hasSize(1);
    assertThat(streams[2].answers).isEmpty();
  }

  @Test
  void requestsOnOneStreamAreAnsweredInOrder_capPlusOneWaitingResets() {
    KadRequestHandler h =
        handler(KadWorkPool.over(workers, 64, 1 << 20), PeerRateLimiter.unlimited());
    FakeStream s = new FakeStream();
    h.handle(s);
    for (int i = 0; i <= KadRequestHandler.MAX_PIPELINED; i++) {
      s.send(put("/CHORUS/ucxl/k" + i, "v" + i));
    }
    assertThat(workers.tasks).as("one at a time on the pool").hasSize(1);
    workers.runAll();
    assertThat(s.answers).hasSize(KadRequestHandler.MAX_PIPELINED + 1);
    for (int i = 0; i <= KadRequestHandler.MAX_PIPELINED; i++) {
      assertThat(s.answers.get(i)).isEqualTo(put("/CHORUS/ucxl/k" + i, "v" + i));
    }
    assertThat(s.reset).isFalse();

    FakeStream greedy = new FakeStream();
    h.handle(greedy);
    for (int i = 0; i <= KadRequestHandler.MAX_PIPELINED + 1; i++) {
      greedy.send(ping());
    }
    assertThat(greedy.reset).isTrue();
    workers.runAll();
    assertThat(greedy.answers).isEmpty();
  }

  @Test
  void aPeerThatClosesItsSideGetsTheAnswerBeforeTheFin() {
    KadRequestHandler h =
        handler(KadWorkPool.over(workers, 8, 1 << 20), PeerRateLimiter.unlimited());
    FakeStream s = new FakeStream();
    h.handle(s);
    s.send(ping());
    s.finish(); // js clients half-close right after the request
    assertThat(s.closedWrite).isFalse();
    workers.runAll();
    assertThat(s.events).containsExactly("answer", "fin");
  }

  @Test
  void overTheRateTheStreamIsReset_andCountedAsThrottled() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    PeerRateLimiter limiter = new PeerRateLimiter(1, 2, 16, now::get);
    KadRequestHandler h = handler(KadWorkPool.over(workers, 8, 1 << 20), limiter);
    FakeStream s = new FakeStream();
    h.handle(s);
    s.send(ping());
    workers.runAll();
    s.send(ping());
    workers.runAll();
    assertThat(s.answers).hasSize(2);
    s.send(ping()); // the third within the same instant
    assertThat(s.reset).isTrue();
    assertThat(h.throttled()).isEqualTo(1);
    assertThat(workers.tasks).isEmpty();

    now.addAndGet(1_000_000_000L);
    FakeStream later = new FakeStream();
    h.handle(later);
    later.send(ping());
    workers.runAll();
    assertThat(later.answers).hasSize(1);
  }
}
