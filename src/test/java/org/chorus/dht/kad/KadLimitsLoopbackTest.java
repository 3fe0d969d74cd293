package org.chorus.dht.kad;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.RecordListener;
import org.chorus.dht.kad.records.RecordStore;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.kad.rpc.KadMessenger;
import org.chorus.dht.kad.rpc.KadResult;
import org.chorus.dht.kad.rpc.KadWorkPool;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.testing.NetworkNodes;
import org.chorus.dht.testing.TestRoles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kad limits between real hosts on loopback TCP: the per-peer request rate, the per-peer record
 * quota (persistent stores, signed envelopes), and that validation and store writes run on the kad
 * work pool, not on an event loop.
 */
class KadLimitsLoopbackTest {
  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  NetworkDht server(KadConfig.Limits limits) throws Exception {
    NetworkDht node =
        NetworkNodes.start(
            dir.resolve("server"),
            IdentityKey.generate(),
            NetworkNodes.KAD.toBuilder().limits(limits).build());
    open.add(() -> NetworkNodes.closeQuietly(node));
    return node;
  }

  /** A remote peer: a bare host (no kad handler) and its kad client. */
  record Remote(Host host, KadMessenger kad) {}

  /** A bare host connected to {@code server}. */
  Remote peerOf(NetworkDht server) throws Exception {
    Host h = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    open.add(h);
    h.dial(NetworkNodes.addr(server)).get(10, TimeUnit.SECONDS);
    return new Remote(h, new KadMessenger(h, server.dht().protocol()));
  }

  static String address(String task) {
    return "ucxl://agent001/senior_architect/limits/" + task + "/decision";
  }

  static byte[] key(String task) {
    return NetworkNodes.key(address(task)).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPeerSendingTenTimesItsRateIsThrottled_whileANormalPeersQueriesSucceed() throws Exception {
    double rate = 10;
    int burst = 10;
    // the server's kad timer never moves: its buckets do not refill during the test, so exactly a
    // burst of the flood gets through, however long the machine takes
    NetworkDht server =
        NetworkNodes.start(
            dir.resolve("server"),
            IdentityKey.generate(),
            NetworkNodes.KAD.toBuilder()
                .limits(KadConfig.Limits.defaults().withRequestRate(rate, burst))
                .build(),
            NetworkNodes.OPERATION_TIMEOUT,
            new org.chorus.dht.testing.ManualQueryTimer());
    open.add(() -> NetworkNodes.closeQuietly(server));
    PeerId serverId = server.host().peerId();
    byte[] key = key("rate");
    assertThat(server.dht().storeLocal(key, NetworkNodes.envelope(address("rate"), "x"))).isTrue();
    KadMessenger flooder = peerOf(server).kad();
    KadMessenger normal = peerOf(server).kad();

    List<CompletableFuture<KadResult<KadMessenger.ValueReply>>> flood = new ArrayList<>();
    for (int i = 0; i < 10 * burst; i++) {
      flood.add(flooder.getValue(serverId, key)); // ten times what its bucket holds
    }
    List<KadResult<KadMessenger.ValueReply>> normals = new ArrayList<>();
    for (int i = 0; i < burst / 2; i++) {
      normals.add(normal.getValue(serverId, key).get(30, TimeUnit.SECONDS));
    }
    int ok = 0;
    for (var f : flood) {
      if (f.get(30, TimeUnit.SECONDS).isOk()) {
        ok++;
      }
    }

    assertThat(normals)
        .as("the normal peer's queries")
        .allSatisfy(
            r -> assertThat(r.answer().flatMap(KadMessenger.ValueReply::record)).isPresent());
    assertThat(ok).as("the flooder's burst").isEqualTo(burst);
    assertThat(server.dht().requestsThrottled()).isEqualTo(flood.size() - burst);
  }

  @Test
  void aPeerStoringTenThousandRecordsStopsAtItsQuota() throws Exception {
    int quota = 100;
    int sent = 10_000;
    NetworkDht server =
        server(
            KadConfig.Limits.defaults()
                .withRequestRate(1_000_000, 1_000_000)
                .withQuota(quota, 64L << 20));
    AtomicInteger quotaRefusals = new AtomicInteger();
    server
        .dht()
        .addRecordListener(
            new RecordListener() {
              @Override
              public void refused(
                  PeerId from,
                  byte[] key,
                  Source source,
                  InvalidRecordException.Reason reason,
                  String detail) {
                if (reason == InvalidRecordException.Reason.QUOTA) {
                  quotaRefusals.incrementAndGet();
                }
              }
            });
    Remote remote = peerOf(server);
    KadMessenger peer = remote.kad();
    PeerId serverId = server.host().peerId();

    Semaphore inFlight = new Semaphore(32);
    AtomicInteger stored = new AtomicInteger();
    List<CompletableFuture<?>> puts = new ArrayList<>();
    List<KadRecord> first = new ArrayList<>();
    for (int i = 0; i < sent; i++) {
      KadRecord rec = new KadRecord(key("q" + i), NetworkNodes.envelope(address("q" + i), "" + i));
      if (i < quota) {
        first.add(rec);
      }
      inFlight.acquire();
      puts.add(
          peer.putValue(serverId, rec)
              .whenComplete(
                  (r, e) -> {
                    inFlight.release();
                    if (r != null && r.isOk()) {
                      stored.incrementAndGet();
                    }
                  }));
      if (i == quota - 1) {
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      }
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    assertThat(stored.get()).isEqualTo(quota);
    assertThat(quotaRefusals.get()).isEqualTo(sent - quota);
    assertThat(server.records().size()).isEqualTo(quota);
    assertThat(server.records().usage(remote.host().peerId()).records()).isEqualTo(quota);
    // a republish of a record held is no new record; this node's own writes count for no one
    assertThat(peer.putValue(serverId, first.get(0)).get(15, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(server.dht().storeLocal(key("own"), NetworkNodes.envelope(address("own"), "o")))
        .isTrue();
    // another peer has a quota of its own
    KadMessenger other = peerOf(server).kad();
    KadRecord theirs = new KadRecord(key("other"), NetworkNodes.envelope(address("other"), "t"));
    assertThat(other.putValue(serverId, theirs).get(15, TimeUnit.SECONDS).isOk()).isTrue();
  }

  /** Records the threads that validate and write records, then delegates. */
  static final class Recording {
    final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();

    RecordValidator validator(RecordValidator v) {
      return new RecordValidator() {
        @Override
        public void validate(byte[] key, byte[] value) {
          threads.add(Thread.currentThread());
          v.validate(key, value);
        }

        @Override
        public int select(byte[] key, List<byte[]> values) {
          threads.add(Thread.currentThread());
          return v.select(key, values);
        }

        @Override
        public void checkReplaces(byte[] key, byte[] incoming, byte[] held) {
          v.checkReplaces(key, incoming, held);
        }
      };
    }

    RecordStore store(RecordStore s) {
      return new RecordStore() {
        @Override
        public PutOutcome put(KadRecord record) {
          threads.add(Thread.currentThread());
          return s.put(record);
        }

        @Override
        public PutOutcome putFor(PeerId peer, KadRecord record, Quota quota) {
          threads.add(Thread.currentThread());
          return s.putFor(peer, record, quota);
        }

        @Override
        public Usage usage(PeerId peer) {
          return s.usage(peer);
        }

        @Override
        public Optional<KadRecord> get(byte[] key) {
          threads.add(Thread.currentThread());
          return s.get(key);
        }

        @Override
        public boolean remove(byte[] key) {
          return s.remove(key);
        }

        @Override
        public int expire() {
          return s.expire();
        }

        @Override
        public int size() {
          return s.size();
        }
      };
    }
  }

  record Node(Host host, Dht dht) {
    Multiaddr addr() {
      return host.listenAddrs().get(0).withPeerId(host.peerId());
    }
  }

  Node node(Recording rec) throws Exception {
    Host h = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    open.add(h);
    h.listen(NetworkNodes.LOOPBACK).get(10, TimeUnit.SECONDS);
    Clock clock = Clock.systemUTC();
    Dht d =
        new Dht(
            h,
            NetworkNodes.KAD,
            rec.store(new InMemoryRecordStore(clock)),
            new InMemoryProviderStore(clock),
            rec.validator(ChorusValidators.create(TestRoles.AUTHORITY)),
            clock,
            QueryTimer.SYSTEM);
    open.add(d);
    d.start();
    return new Node(h, d);
  }

  @Test
  void eventLoopsNeitherValidateNorWriteRecords() throws Exception {
    Recording onServer = new Recording();
    Recording onClient = new Recording();
    Node serverNode = node(onServer);
    Dht server = serverNode.dht();
    Dht client = node(onClient).dht();
    assertThat(client.bootstrap(List.of(serverNode.addr())).get(15, TimeUnit.SECONDS)).isEqualTo(1);

    byte[] key = key("threads");
    byte[] v1 = NetworkNodes.envelope(address("threads"), "one", 1);
    assertThat(client.putValue(key, v1).get(15, TimeUnit.SECONDS).accepted()).isEqualTo(1);
    // the server holds a newer version: the client's lookup validates it and corrects its copy
    byte[] v2 = NetworkNodes.envelope(address("threads"), "two", 2);
    assertThat(server.storeLocal(key, v2)).isTrue();
    onServer.threads.clear();
    onClient.threads.clear();
    GetResult got = client.getValue(key, 2).get(15, TimeUnit.SECONDS);
    assertThat(got).isInstanceOf(GetResult.Found.class);
    assertThat(((GetResult.Found) got).value()).isEqualTo(v2);
    byte[] v3 = NetworkNodes.envelope(address("threads"), "three", 3);
    assertThat(client.putValue(key, v3).get(15, TimeUnit.SECONDS).accepted()).isEqualTo(1);

    assertThat(onServer.threads).as("the server validated, read and wrote").isNotEmpty();
    assertThat(onClient.threads).isNotEmpty();
    for (Thread t : onServer.threads) {
      assertThat(t).isNotInstanceOf(FastThreadLocalThread.class);
      assertThat(t.getName()).startsWith(KadWorkPool.THREAD_PREFIX);
    }
    for (Thread t : onClient.threads) {
      // the lookup's validation and correction on the pool; its own puts on this test thread
      assertThat(t).isNotInstanceOf(FastThreadLocalThread.class);
    }
    assertThat(onClient.threads)
        .anySatisfy(t -> assertThat(t.getName()).startsWith(KadWorkPool.THREAD_PREFIX));
  }
}
