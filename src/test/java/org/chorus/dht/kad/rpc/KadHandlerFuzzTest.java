package org.chorus.dht.kad.rpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.List;
import org.chorus.dht.kad.records.InMemoryProviderStore;
import org.chorus.dht.kad.records.InMemoryRecordStore;
import org.chorus.dht.kad.records.InvalidRecordException;
import org.chorus.dht.kad.records.NamespacedValidator;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadWireException;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.testing.SteppingClock;

/**
 * Jazzer target for the inbound request handler: any request bytes are answered or refused with one
 * of the expected errors (which reset the stream); nothing else (NPE, overflow) may escape.
 */
class KadHandlerFuzzTest {
  static final PeerId SELF = IdentityKey.fromSeed(new byte[32]).peerId();
  static final PeerId FROM = IdentityKey.fromSeed(filled(1)).peerId();
  static final SteppingClock CLOCK = new SteppingClock();
  static final KadRequestHandler HANDLER =
      new KadRequestHandler(
          SELF,
          () -> List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")),
          id -> List.of(Multiaddr.parse("/ip4/127.0.0.2/tcp/4001")),
          new InMemoryRecordStore(CLOCK, Duration.ofHours(48), 1000),
          NamespacedValidator.permissiveChorus(),
          new InMemoryProviderStore(CLOCK, Duration.ofHours(48), Duration.ofHours(24), 1000, 10),
          (key, n) ->
              List.of(
                  new KadPeer(FROM, List.of()),
                  new KadPeer(SELF, List.of()),
                  new KadPeer(IdentityKey.fromSeed(filled(2)).peerId(), List.of())),
          CLOCK,
          Duration.ofSeconds(10),
          (d, t) -> {},
          20);

  static byte[] filled(int b) {
    byte[] s = new byte[32];
    java.util.Arrays.fill(s, (byte) b);
    return s;
  }

  @FuzzTest(maxDuration = "60s")
  void request(byte[] data) {
    try {
      HANDLER.answer(FROM, data);
    } catch (KadWireException | InvalidRecordException | IllegalArgumentException e) {
      // refused: the stream would be reset
    } catch (IllegalStateException e) {
      if (!e.getMessage().contains("store full")) {
        throw e;
      }
    }
  }
}
