package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.records.ProviderStore;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.p2p.testing.StreamCollector;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kad RPC between two of our hosts over real TCP on loopback. */
class KadRpcLoopbackTest {
  static final ProtocolId KAD = KadRpc.protocol(KadRpc.DEFAULT_PREFIX);
  static final byte[] KEY = "/CHORUS/ucxl/abc".getBytes(StandardCharsets.UTF_8);

  static Host client;
  static Host server;
  static Multiaddr serverAddr;
  static SteppingClock clock = new SteppingClock();
  static InMemoryRecordStore records;
  static ProviderStore providers;
  static XorClosestPeers closest = new XorClosestPeers();
  static KadRequestHandler handler;
  static KadMessenger messenger;
  static List<KadPeer> others = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    HostConfig config = HostConfig.builder().ioThreads(1).build();
    client = Host.create(config, IdentityKey.generate());
    server = Host.create(config, IdentityKey.generate());
    client.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
    serverAddr = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
    records = new InMemoryRecordStore(clock);
    providers = new InMemoryProviderStore(clock);
    handler =
        KadRequestHandler.forHost(
            server, records, NamespacedValidator.permissiveChorus(), providers, closest, clock);
    server.setHandler(KAD, handler);
    // the server knows the client, itself (must be skipped) and 25 others (20 are returned)
    closest.known.add(new KadPeer(client.peerId(), client.listenAddrs()));
    closest.known.add(new KadPeer(server.peerId(), server.listenAddrs()));
    for (int i = 0; i < 25; i++) {
      KadPeer p =
          new KadPeer(
              IdentityKey.generate().peerId(),
              List.of(Multiaddr.parse("/ip4/10.0.0." + i + "/tcp/4001")));
      others.add(p);
      closest.known.add(p);
    }
    client.dial(serverAddr.withPeerId(server.peerId())).get(10, TimeUnit.SECONDS);
    messenger = new KadMessenger(client, KAD);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  static <T> KadResult<T> await(CompletableFuture<KadResult<T>> f) throws Exception {
    return f.get(15, TimeUnit.SECONDS);
  }

  @Test
  void putValueIsEchoedAndStoredWithOurTime_thenGetValueReturnsIt() throws Exception {
    clock.set(java.time.Instant.parse("2026-11-24T05:48:03.076543Z"));
    KadRecord rec = new KadRecord(KEY, "hello".getBytes(StandardCharsets.UTF_8), "");
    KadResult<KadRecord> put = await(messenger.putValue(server.peerId(), rec));
    assertThat(put).isEqualTo(new KadResult.Ok<>(rec));
    KadRecord stored = records.get(KEY).orElseThrow();
    assertThat(stored.timeReceived()).isEqualTo("2026-11-24T05:48:03.076000000Z");

    KadMessenger.ValueReply got = await(messenger.getValue(server.peerId(), KEY)).answer().get();
    assertThat(got.record()).contains(stored);
    assertThat(got.closerPeers()).hasSize(KadRpc.DEFAULT_CLOSER_PEERS);
    assertThat(got.closerPeers())
        .extracting(KadPeer::id)
        .doesNotContain(client.peerId(), server.peerId());
    assertThat(got.closerPeers())
        .containsExactlyElementsOf(
            closest.closest(KEY, 27).stream().filter(p -> others.contains(p)).limit(20).toList());
  }

  @Test
  void getValueOfAnAbsentKeyHasOnlyCloserPeers() throws Exception {
    byte[] key = "/CHORUS/ucxl/absent".getBytes(StandardCharsets.UTF_8);
    KadMessenger.ValueReply got = await(messenger.getValue(server.peerId(), key)).answer().get();
    assertThat(got.record()).isEmpty();
    assertThat(got.closerPeers()).hasSize(20);
  }

  @Test
  void valuesOlderThan48HoursAreNotReturned() throws Exception {
    byte[] key = "/CHORUS/ucxl/old".getBytes(StandardCharsets.UTF_8);
    assertThat(
            await(messenger.putValue(server.peerId(), new KadRecord(key, new byte[] {1}))).isOk())
        .isTrue();
    clock.advance(Duration.ofHours(48));
    assertThat(await(messenger.getValue(server.peerId(), key)).answer().get().record()).isEmpty();
  }

  @Test
  void putValueUnderAnUnknownNamespaceResetsTheStream() throws Exception {
    long before = handler.rejected();
    KadRecord rec = new KadRecord("/other/x".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    KadResult<KadRecord> r = await(messenger.putValue(server.peerId(), rec));
    assertThat(r).isInstanceOf(KadResult.Failed.class);
    assertThat(records.get(rec.key())).isEmpty();
    assertThat(handler.rejected()).isEqualTo(before + 1);
  }

  @Test
  void addProviderThenGetProviders_onlyTheSenderWithAddressesIsKept() throws Exception {
    byte[] mh = multihash("provided");
    KadPeer self = new KadPeer(client.peerId(), client.listenAddrs());
    assertThat(await(messenger.addProvider(server.peerId(), mh, self)).isOk()).isTrue();
    // claims for someone else, or without addresses, are dropped
    await(messenger.addProvider(server.peerId(), mh, others.get(0)));
    byte[] mh2 = multihash("no-addrs");
    await(messenger.addProvider(server.peerId(), mh2, new KadPeer(client.peerId(), List.of())));

    KadMessenger.ProvidersReply got = awaitProviders(mh, 1);
    assertThat(got.providers()).containsExactly(self);
    assertThat(got.closerPeers()).hasSize(20);
    assertThat(await(messenger.getProviders(server.peerId(), mh2)).answer().get().providers())
        .isEmpty();
  }

  @Test
  void getProvidersWithAKeyThatIsNotAMultihashResets() throws Exception {
    KadResult<KadMessenger.ProvidersReply> r =
        await(messenger.getProviders(server.peerId(), new byte[] {0x12, 0x20, 1}));
    assertThat(r).isInstanceOf(KadResult.Failed.class);
  }

  @Test
  void findNodeReturnsCloserPeers_andTheServerForItsOwnId() throws Exception {
    byte[] target = others.get(3).id().toBytes();
    List<KadPeer> got = await(messenger.findNode(server.peerId(), target)).answer().get();
    assertThat(got).hasSize(20).contains(others.get(3));
    assertThat(got).extracting(KadPeer::id).doesNotContain(client.peerId(), server.peerId());

    List<KadPeer> self =
        await(messenger.findNode(server.peerId(), server.peerId().toBytes())).answer().get();
    assertThat(self).containsExactly(new KadPeer(server.peerId(), server.advertisedAddrs()));
  }

  @Test
  void pingIsEchoed() throws Exception {
    assertThat(await(messenger.ping(server.peerId()))).isInstanceOf(KadResult.Ok.class);
  }

  @Test
  void aPeerThatNeverAnswersIsATimeout() throws Exception {
    ProtocolId silent = ProtocolId.of("/silent/kad/1.0.0");
    CompletableFuture<Stream> heard = new CompletableFuture<>();
    server.setHandler(silent, s -> s.setListener((st, data) -> heard.complete(st)));
    List<Runnable> timeouts = new java.util.concurrent.CopyOnWriteArrayList<>();
    KadMessenger m =
        new KadMessenger(client, silent, Duration.ofSeconds(10), (d, task) -> timeouts.add(task));
    CompletableFuture<KadResult<Duration>> ping = m.ping(server.peerId());
    Stream serverSide = heard.get(10, TimeUnit.SECONDS); // the request arrived, no answer comes
    assertThat(ping).isNotDone();
    timeouts.get(0).run(); // ten seconds later
    assertThat(await(ping)).isInstanceOf(KadResult.Timeout.class);
    serverSide.closeFuture().get(10, TimeUnit.SECONDS); // we reset the stream
  }

  @Test
  void anUnknownProtocolIsAFailure() throws Exception {
    KadMessenger m = new KadMessenger(client, ProtocolId.of("/nobody/kad/1.0.0"));
    assertThat(await(m.ping(server.peerId()))).isInstanceOf(KadResult.Failed.class);
  }

  @Test
  void requestsAreReadInALoopOnOneStream() throws Exception {
    Stream s = client.connections(server.peerId()).get(0).newStream(KAD).get(10, TimeUnit.SECONDS);
    List<byte[]> got = new ArrayList<>();
    CompletableFuture<Void> two = new CompletableFuture<>();
    s.setListener(
        LengthPrefixed.listener(
            KadCodec.MAX_MESSAGE,
            (st, msg) -> {
              got.add(msg);
              if (got.size() == 2) {
                two.complete(null);
              }
            }));
    byte[] ping = KadCodec.encode(KadMessage.request(KadMessage.Type.PING, new byte[0]));
    byte[] find =
        KadCodec.encode(
            KadMessage.request(KadMessage.Type.FIND_NODE, others.get(0).id().toBytes()));
    LengthPrefixed.write(s, ping);
    LengthPrefixed.write(s, find);
    two.get(10, TimeUnit.SECONDS);
    assertThat(got.get(0)).isEqualTo(ping);
    assertThat(KadCodec.decode(got.get(1)).closerPeers()).hasSize(20);
    s.closeWrite();
    s.closeFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void garbageAndCapPlusOneResetTheStreamAndAreCounted() throws Exception {
    long before = handler.rejected();
    Stream garbage =
        client.connections(server.peerId()).get(0).newStream(KAD).get(10, TimeUnit.SECONDS);
    StreamCollector.on(garbage);
    LengthPrefixed.write(garbage, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    garbage.closeFuture().get(10, TimeUnit.SECONDS);

    Stream big =
        client.connections(server.peerId()).get(0).newStream(KAD).get(10, TimeUnit.SECONDS);
    StreamCollector.on(big);
    big.write(Varint.encode(KadCodec.MAX_MESSAGE + 1)); // only the length: refused before the body
    big.closeFuture().get(10, TimeUnit.SECONDS);
    // the server resets before it counts: allow it a moment
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> handler.rejected() >= before + 2);
    assertThat(handler.rejected()).isEqualTo(before + 2);
  }

  @Test
  void anIdleInboundStreamIsResetAfterTheMessageTimeout() throws Exception {
    List<Runnable> timeouts = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProtocolId quick = ProtocolId.of("/quick/kad/1.0.0");
    KadRequestHandler h =
        new KadRequestHandler(
            server.peerId(),
            server::advertisedAddrs,
            id -> List.of(),
            records,
            NamespacedValidator.permissiveChorus(),
            providers,
            closest,
            clock,
            Duration.ofSeconds(10),
            (delay, task) -> timeouts.add(task),
            20);
    server.setHandler(quick, h);
    Stream s =
        client.connections(server.peerId()).get(0).newStream(quick).get(10, TimeUnit.SECONDS);
    StreamCollector.on(s);
    // a request re-arms the timer: the first timeout is stale and does nothing
    CompletableFuture<byte[]> pong = new CompletableFuture<>();
    s.setListener(LengthPrefixed.listener(KadCodec.MAX_MESSAGE, (st, m) -> pong.complete(m)));
    LengthPrefixed.write(s, KadCodec.encode(KadMessage.request(KadMessage.Type.PING, new byte[0])));
    pong.get(10, TimeUnit.SECONDS);
    // the handler re-arms its timer once the answer is written, which may be after we read it
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> timeouts.size() == 2);
    assertThat(timeouts).hasSize(2);
    timeouts.get(0).run();
    assertThat(s.closeFuture()).isNotDone();
    timeouts.get(1).run(); // ten idle seconds later
    s.closeFuture().get(10, TimeUnit.SECONDS);
    assertThat(h.rejected()).isEqualTo(1);
  }

  /** sha2-256 multihash of {@code s}. */
  static byte[] multihash(String s) {
    byte[] d = XorClosestPeers.kadId(s.getBytes(StandardCharsets.UTF_8));
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 0x20;
    System.arraycopy(d, 0, mh, 2, 32);
    return mh;
  }

  /** ADD_PROVIDER has no answer: poll until the server has stored {@code n} providers. */
  static KadMessenger.ProvidersReply awaitProviders(byte[] mh, int n) throws Exception {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> await(messenger.getProviders(server.peerId(), mh)).answer().get(),
            r -> r.providers().size() >= n);
  }
}
