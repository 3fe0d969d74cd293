package org.chorus.dht.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {
  static final String ID = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

  /** Binary forms per multiaddr's protocols.csv (ip4=4, tcp=6, ip6=41, dns4=54, dns6=55). */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "/ip4/127.0.0.1/tcp/4001, 047f000001060fa1",
    "/ip4/0.0.0.0/tcp/0, 04000000000600" + "00",
    "/ip6/::1/tcp/4001, 29000000000000000000000000000000010" + "60fa1",
    "/dns4/example.com/tcp/443, 360b6578616d706c652e636f6d0601bb",
    "/dns6/example.com/tcp/443, 370b6578616d706c652e636f6d0601bb",
  })
  void textAndBinaryRoundTrip(String text, String hex) {
    Multiaddr a = Multiaddr.parse(text);
    assertThat(a.toString()).isEqualTo(text);
    assertThat(HexFormat.of().formatHex(a.toBytes())).isEqualTo(hex);
    assertThat(Multiaddr.fromBytes(HexFormat.of().parseHex(hex))).isEqualTo(a);
  }

  @Test
  void p2pSuffix() {
    Multiaddr a = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + ID);
    assertThat(a.peerId()).contains(PeerId.parse(ID));
    assertThat(a.withoutPeerId().toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
    assertThat(Multiaddr.fromBytes(a.toBytes())).isEqualTo(a);
    // the js peer's binary form of the same address: ... a503 (421) len 0x26 multihash
    assertThat(HexFormat.of().formatHex(a.toBytes()))
        .startsWith("047f000001060fa1a50326002408011220");
    assertThat(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ipfs/" + ID)).isEqualTo(a);
    assertThat(a.toTcpSocketAddress()).isPresent();
  }

  @Test
  void ip6IsCanonicalised() {
    assertThat(Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1/tcp/1").toString())
        .isEqualTo("/ip6/::1/tcp/1");
    assertThat(Multiaddr.parse("/ip6/2001:DB8::0:1/tcp/1").toString())
        .isEqualTo("/ip6/2001:db8::1/tcp/1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "ip4/1.2.3.4",
        "/ip4/256.0.0.1/tcp/1",
        "/ip4/1.2.3/tcp/1",
        "/ip4/1.2.3.4/tcp/65536",
        "/ip4/1.2.3.4/tcp/-1",
        "/ip4/1.2.3.4/tcp",
        "/ip4/1.2.3.4/udp/1",
        "/ip6/1.2.3.4/tcp/1",
        "/ip6/example.com/tcp/1",
        "/dns4//tcp/1",
        "/p2p/notapeerid",
        "/ip4/1.2.3.4/tcp/01"
      })
  void rejectsBadText(String text) {
    assertThatThrownBy(() -> Multiaddr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "04", "047f0000", "0601", "3605616263", "a503", "a50305aabbccddee", "ff"})
  void rejectsBadBinary(String hex) {
    assertThatThrownBy(() -> Multiaddr.fromBytes(HexFormat.of().parseHex(hex)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lengthCapPlusOneIsRejected() {
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[Multiaddr.MAX_BYTES + 1]))
        .hasMessageContaining("longer than");
    String name = "a".repeat(Multiaddr.MAX_DNS_NAME);
    assertThat(Multiaddr.parse("/dns4/" + name + "/tcp/1")).isNotNull();
    assertThatThrownBy(() -> Multiaddr.parse("/dns4/" + name + "a/tcp/1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
