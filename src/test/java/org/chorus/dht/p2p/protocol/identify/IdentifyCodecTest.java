package org.chorus.dht.p2p.protocol.identify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

class IdentifyCodecTest {
  @Test
  void roundTripsAndMergesMessagesByteByByte() {
    byte[] pk = IdentityKey.generate().publicKeyProtobuf();
    Multiaddr a = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
    byte[] m1 =
        IdentifyCodec.encode(pk, "ipfs/0.1.0", "x/1", List.of(a), Optional.of(a), List.of("/p/1"));
    byte[] m2 =
        IdentifyCodec.encode(pk, "ipfs/0.1.0", "x/2", List.of(), Optional.empty(), List.of("/p/2"));
    IdentifyCodec codec = new IdentifyCodec();
    for (byte[] m : List.of(m1, m2)) {
      for (byte b : m) {
        codec.feed(new byte[] {b});
      }
    }
    IdentifyInfo info = codec.finish();
    assertThat(info.agentVersion()).isEqualTo("x/2");
    assertThat(info.protocols()).containsExactly("/p/1", "/p/2");
    assertThat(info.listenAddrs()).containsExactly(a);
    assertThat(info.observedAddr()).contains(a);
  }

  @Test
  void messageCapPlusOneIsRejected() {
    IdentifyCodec ok = new IdentifyCodec();
    byte[] body = new byte[IdentifyCodec.MAX_MESSAGE];
    // field 6 (agentVersion), length filling the message exactly
    int len = IdentifyCodec.MAX_MESSAGE - 1 - Varint.size(IdentifyCodec.MAX_MESSAGE - 3);
    body[0] = 0x32;
    byte[] l = Varint.encode(len);
    System.arraycopy(l, 0, body, 1, l.length);
    for (int i = 1 + l.length; i < body.length; i++) {
      body[i] = 'a';
    }
    ok.feed(Varint.encode(body.length));
    assertThat(body.length).isEqualTo(1 + l.length + len);
    ok.feed(body);
    assertThatThrownBy(ok::finish).hasMessageContaining("no public key"); // parsed, just no key
    IdentifyCodec over = new IdentifyCodec();
    assertThatThrownBy(() -> over.feed(Varint.encode(IdentifyCodec.MAX_MESSAGE + 1)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void messageCountCapPlusOneIsRejected() {
    IdentifyCodec codec = new IdentifyCodec();
    for (int i = 0; i < IdentifyCodec.MAX_MESSAGES; i++) {
      codec.feed(new byte[] {0}); // empty message
    }
    assertThatThrownBy(() -> codec.feed(new byte[] {0})).hasMessageContaining("more than");
  }

  @Test
  void truncatedAtEofIsRejected() {
    IdentifyCodec codec = new IdentifyCodec();
    codec.feed(new byte[] {5, 1, 2});
    assertThatThrownBy(codec::finish).hasMessageContaining("truncated");
  }
}
