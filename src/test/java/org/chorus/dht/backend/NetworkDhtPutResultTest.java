package org.chorus.dht.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.kad.records.RecordValidator;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link NetworkDht#putValue} reports: copies confirmed (this node's included), the target,
 * and the copies a complete write needs ({@code min(target, reachable nodes)}), on three real nodes
 * over loopback where one refuses every PUT.
 */
@Tag("cluster")
class NetworkDhtPutResultTest {

  /** Refuses every value: a peer that answers lookups but never stores. */
  static final RecordValidator REFUSING =
      new RecordValidator() {
        @Override
        public void validate(byte[] key, byte[] value) {
          throw new InvalidRecordException("refused");
        }

        @Override
        public int select(byte[] key, List<byte[]> values) {
          throw new InvalidRecordException("refused");
        }
      };

  @TempDir Path dir;
  final List<NetworkDht> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NetworkDht::close);
  }

  NetworkDht node(int i, RecordValidator validator, int target) throws Exception {
    Clock clock = Clock.systemUTC();
    Host host = Host.create(HostConfig.builder().ioThreads(1).build(), IdentityKey.generate());
    host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(5, TimeUnit.SECONDS);
    MvRecordStore records = MvRecordStore.openInDataDir(dir.resolve("n" + i), clock);
    MvProviderStore providers = MvProviderStore.openInDataDir(dir.resolve("n" + i), clock);
    Dht dht =
        new Dht(
            host,
            KadConfig.builder().build(),
            records,
            providers,
            validator,
            clock,
            QueryTimer.SYSTEM);
    dht.start();
    NetworkDht n =
        new NetworkDht(
            host,
            dht,
            records,
            providers,
            KadConfig.Mode.SERVER,
            target,
            Duration.ofSeconds(30),
            clock);
    nodes.add(n);
    return n;
  }

  void join(NetworkDht n, NetworkDht boot) throws Exception {
    Multiaddr addr = boot.host().listenAddrs().get(0);
    n.bootstrap(List.of(addr)).get(20, TimeUnit.SECONDS);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPeerRefusingThePutMakesTheWriteIncompleteAndIsNotCounted() throws Exception {
    NetworkDht a = node(0, RecordValidator.PERMISSIVE, 3);
    NetworkDht refusing = node(1, REFUSING, 3);
    NetworkDht c = node(2, RecordValidator.PERMISSIVE, 3);
    join(refusing, a);
    join(c, a);
    a.refresh().get(20, TimeUnit.SECONDS);

    DhtBackend.PutResult put = a.putValue("/CHORUS/ucxl/ack", b("v"));
    assertThat(put.targetReplicas()).isEqualTo(3);
    assertThat(put.requiredReplicas()).as("three nodes reachable").isEqualTo(3);
    assertThat(put.replicas()).as("this node and c only").isEqualTo(2);
    assertThat(put.complete()).isFalse();
    assertThat(refusing.getValue("/CHORUS/ucxl/ack")).isEmpty();
  }

  @Test
  void aLoneNodeNeedsOnlyItsOwnCopy() throws Exception {
    NetworkDht a = node(0, RecordValidator.PERMISSIVE, 3);
    DhtBackend.PutResult put = a.putValue("/CHORUS/ucxl/alone", b("v"));
    assertThat(put).isEqualTo(new DhtBackend.PutResult(1, 3, 1));
    assertThat(put.complete()).isTrue();
  }

  @Test
  void allPeersAcceptingMakeItComplete() throws Exception {
    NetworkDht a = node(0, RecordValidator.PERMISSIVE, 3);
    join(node(1, RecordValidator.PERMISSIVE, 3), a);
    join(node(2, RecordValidator.PERMISSIVE, 3), a);
    a.refresh().get(20, TimeUnit.SECONDS);
    DhtBackend.PutResult put = a.putValue("/CHORUS/ucxl/all", b("v"));
    assertThat(put).isEqualTo(new DhtBackend.PutResult(3, 3, 3));
    assertThat(put.complete()).isTrue();
  }

  /** Accepts only values starting with "ok": a value this node refuses, for a key it holds. */
  static final RecordValidator OK_PREFIX =
      new RecordValidator() {
        @Override
        public void validate(byte[] key, byte[] value) {
          if (!new String(value, StandardCharsets.UTF_8).startsWith("ok")) {
            throw new InvalidRecordException("not ok");
          }
        }

        @Override
        public int select(byte[] key, List<byte[]> values) {
          return 0;
        }
      };

  @Test
  void anInvalidValueForAKeyAlreadyHeldIsRefusedNotAcknowledged() throws Exception {
    NetworkDht a = node(0, OK_PREFIX, 3);
    assertThat(a.putValue("/CHORUS/ucxl/held", b("ok 1")).complete()).isTrue();
    assertThatThrownBy(() -> a.putValue("/CHORUS/ucxl/held", b("bad")))
        .isInstanceOf(RecordRejectedException.class);
    assertThat(a.getValue("/CHORUS/ucxl/held"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(b("ok 1")));
  }
}
