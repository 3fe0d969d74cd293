package org.chorus.dht.p2p.protocol.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.Dial;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.DialResponse;
import org.chorus.dht.p2p.protocol.autonat.AutoNatMessage.Status;
import org.chorus.dht.p2p.protocol.autonat.pb.AutoNatProto;
import org.junit.jupiter.api.Test;

class AutoNatCodecTest {
  static final PeerId PEER = IdentityKey.generate().peerId();
  static final Multiaddr A = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
  static final Multiaddr B = Multiaddr.parse("/ip6/::1/tcp/4002");

  @Test
  void dialRoundTrip() {
    Dial d = new Dial(Optional.of(PEER), List.of(A, B));
    assertThat(AutoNatCodec.decode(AutoNatCodec.encode(d))).isEqualTo(d);
    Dial noId = new Dial(Optional.empty(), List.of(A));
    assertThat(AutoNatCodec.decode(AutoNatCodec.encode(noId))).isEqualTo(noId);
  }

  @Test
  void responseRoundTripForEveryStatus() {
    assertThat(AutoNatCodec.decode(AutoNatCodec.encode(DialResponse.ok(A))))
        .isEqualTo(DialResponse.ok(A));
    for (Status s : Status.values()) {
      DialResponse r = DialResponse.error(s, "because " + s);
      assertThat(AutoNatCodec.decode(AutoNatCodec.encode(r))).isEqualTo(r);
    }
  }

  @Test
  void wireNumbersAreTheSpecs() {
    AutoNatProto.Message m =
        AutoNatProto.Message.newBuilder()
            .setType(AutoNatProto.Message.MessageType.DIAL_RESPONSE)
            .setDialResponse(
                AutoNatProto.Message.DialResponse.newBuilder()
                    .setStatus(AutoNatProto.Message.ResponseStatus.E_DIAL_REFUSED))
            .build();
    // field 1 type = 1 (DIAL_RESPONSE); field 3 { field 1 status = 101 }
    assertThat(m.toByteArray()).containsExactly(0x08, 0x01, 0x1a, 0x02, 0x08, 0x65);
    assertThat(((DialResponse) AutoNatCodec.decode(m.toByteArray())).status())
        .isEqualTo(Status.E_DIAL_REFUSED);
  }

  @Test
  void garbageIsAStreamError() {
    byte[][] bad = {
      {(byte) 0xff, (byte) 0xff, (byte) 0xff}, // truncated varint field
      {0x08, 0x00}, // DIAL without dial
      {0x08, 0x01}, // DIAL_RESPONSE without a response
      {}, // no type
      {0x08, 0x05}, // unknown type
      {0x12, 0x05, 0x01}, // truncated length-delimited
    };
    for (byte[] b : bad) {
      assertThatThrownBy(() -> AutoNatCodec.decode(b))
          .isInstanceOf(ProtocolException.class)
          .satisfies(
              e ->
                  assertThat(((ProtocolException) e).scope())
                      .isEqualTo(ProtocolException.Scope.STREAM));
    }
  }

  @Test
  void oversizeBodyIsRejectedBeforeParsing() {
    assertThatThrownBy(() -> AutoNatCodec.decode(new byte[AutoNatCodec.MAX_MESSAGE + 1]))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void badPeerIdIsRejectedAndBadAddressesAreSkipped() {
    AutoNatProto.Message badId =
        AutoNatProto.Message.newBuilder()
            .setType(AutoNatProto.Message.MessageType.DIAL)
            .setDial(
                AutoNatProto.Message.Dial.newBuilder()
                    .setPeer(
                        AutoNatProto.Message.PeerInfo.newBuilder()
                            .setId(ByteString.copyFrom(new byte[] {1, 2, 3}))))
            .build();
    assertThatThrownBy(() -> AutoNatCodec.decode(badId.toByteArray()))
        .hasMessageContaining("bad peer id");

    AutoNatProto.Message.PeerInfo.Builder p = AutoNatProto.Message.PeerInfo.newBuilder();
    p.addAddrs(ByteString.copyFrom(new byte[] {(byte) 0x99, 0x01}));
    for (int i = 0; i < AutoNatCodec.MAX_ADDRS + 10; i++) {
      p.addAddrs(
          ByteString.copyFrom(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + (1000 + i)).toBytes()));
    }
    AutoNatProto.Message many =
        AutoNatProto.Message.newBuilder()
            .setType(AutoNatProto.Message.MessageType.DIAL)
            .setDial(AutoNatProto.Message.Dial.newBuilder().setPeer(p))
            .build();
    Dial d = (Dial) AutoNatCodec.decode(many.toByteArray());
    assertThat(d.peer()).isEmpty();
    assertThat(d.addrs()).hasSize(AutoNatCodec.MAX_ADDRS);
    assertThat(d.addrs().get(0)).isEqualTo(Multiaddr.parse("/ip4/127.0.0.1/tcp/1000"));
  }

  @Test
  void longStatusTextIsCut() {
    DialResponse r = DialResponse.error(Status.E_DIAL_ERROR, "x".repeat(1000));
    DialResponse back = (DialResponse) AutoNatCodec.decode(AutoNatCodec.encode(r));
    assertThat(back.statusText()).hasSize(AutoNatCodec.MAX_STATUS_TEXT);
  }

  @Test
  void seededMutationsNeverEscapeAsAnythingElse() {
    java.util.Random rnd = new java.util.Random(5);
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(AutoNatCodec.encode(new Dial(Optional.of(PEER), List.of(A, B))));
    seeds.add(AutoNatCodec.encode(DialResponse.ok(A)));
    for (int i = 0; i < 20_000; i++) {
      byte[] b = seeds.get(i % 2).clone();
      for (int j = 0; j < 1 + rnd.nextInt(4); j++) {
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      try {
        AutoNatMessage m = AutoNatCodec.decode(b);
        assertThat(AutoNatCodec.decode(AutoNatCodec.encode(m))).isEqualTo(m);
      } catch (ProtocolException expected) {
        // fine
      }
    }
  }
}
