package org.chorus.dht.kad.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class KadCodecTest {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] KEY = "/CHORUS/ucxl/abc".getBytes(StandardCharsets.UTF_8);

  @Test
  void putValueDoesNotWriteTypeZero_likeJs() {
    KadMessage m = KadMessage.putValue(new KadRecord(KEY, "v".getBytes(StandardCharsets.UTF_8)));
    byte[] bytes = KadCodec.encode(m);
    assertThat(bytes[0]).isEqualTo((byte) 0x12); // key first, no "08 00"
    assertThat(KadCodec.decode(bytes)).isEqualTo(m);
  }

  /** The GET_VALUE response from the jspeer README transcript, byte for byte. */
  @Test
  void decodesJsGetValueResponse() {
    byte[] js =
        HEX.parseHex(
            "080112102f43484f5255532f7563786c2f6162631a400a102f43484f5255532f7563786c2f616263120c"
                + "68656c6c6f2d66726f6d2d412a1e323032362d31312d32345430353a34383a30332e3037363030303030"
                + "305a42320a260024080112207422b9887598068e32c4448a949adb290d0f4e35b9e01b0ee5f1a1e600fe"
                + "26741208047f000001060fa2");
    KadMessage m = KadCodec.decode(js);
    assertThat(m.type()).isEqualTo(KadMessage.Type.GET_VALUE);
    assertThat(m.key()).isEqualTo(KEY);
    KadRecord r = m.record().orElseThrow();
    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("hello-from-A");
    assertThat(r.timeReceived()).isEqualTo("2026-11-24T05:48:03.076000000Z");
    assertThat(m.closerPeers()).hasSize(1);
    KadPeer p = m.closerPeers().get(0);
    assertThat(p.id().toBase58()).isEqualTo("12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD");
    assertThat(p.addrs()).containsExactly(Multiaddr.parse("/ip4/127.0.0.1/tcp/4002"));
    // and we write the same bytes back
    assertThat(KadCodec.encode(m)).isEqualTo(js);
  }

  @Test
  void roundTripsEveryTypeWithPeers() {
    PeerId id = IdentityKey.generate().peerId();
    KadPeer peer =
        new KadPeer(
            id,
            List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")),
            KadPeer.Connectedness.CONNECTED);
    for (KadMessage.Type t : KadMessage.Type.values()) {
      KadMessage m =
          new KadMessage(
              t, KEY, new KadRecord(KEY, new byte[] {1, 2}, "x"), List.of(peer), List.of(peer), 3);
      assertThat(KadCodec.decode(KadCodec.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void unparsablePeerIdsAndAddressesAreDropped() {
    // closerPeers: {id = 01 02 (not a multihash)}, then a good id with one bad address
    PeerId good = IdentityKey.generate().peerId();
    byte[] gid = good.toBytes();
    byte[] goodPeer =
        concat(new byte[] {0x0a, (byte) gid.length}, gid, new byte[] {0x12, 2, 0x7f, 0x7f});
    byte[] msg =
        concat(
            new byte[] {0x08, 0x04, 0x42, 4, 0x0a, 2, 1, 2},
            new byte[] {0x42, (byte) goodPeer.length},
            goodPeer);
    KadMessage m = KadCodec.decode(msg);
    assertThat(m.closerPeers()).containsExactly(new KadPeer(good, List.of()));
  }

  @Test
  void garbageAndUnknownTypesAreTypedErrors() {
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {(byte) 0xff, (byte) 0xff}))
        .isInstanceOf(KadWireException.class);
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {0x08, 0x09}))
        .isInstanceOf(KadWireException.class)
        .hasMessageContaining("unknown type 9");
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {0x12, 0x05, 1}))
        .isInstanceOf(KadWireException.class);
  }

  @Test
  void capPlusOneIsRefusedBeforeParsing() {
    byte[] over = new byte[KadCodec.MAX_MESSAGE + 1];
    assertThatThrownBy(() -> KadCodec.decode(over))
        .isInstanceOf(KadWireException.class)
        .hasMessageContaining("exceeds " + KadCodec.MAX_MESSAGE);
    KadRecord big = new KadRecord(KEY, new byte[KadCodec.MAX_MESSAGE]);
    assertThatThrownBy(() -> KadCodec.encode(KadMessage.putValue(big)))
        .isInstanceOf(KadWireException.class);
  }

  @Test
  void recordTimeIsNanosWithMillisLikeJs() {
    Instant t = Instant.parse("2026-11-24T05:48:03.076123456Z");
    assertThat(RecordTime.format(t)).isEqualTo("2026-11-24T05:48:03.076000000Z");
    assertThat(RecordTime.parse("2026-11-24T05:48:03.076000000Z")).contains(t.minusNanos(123456));
    assertThat(RecordTime.parse("yesterday")).isEmpty();
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
