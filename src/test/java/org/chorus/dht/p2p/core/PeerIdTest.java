package org.chorus.dht.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerIdTest {
  static final HexFormat HEX = HexFormat.of();

  /** Vectors: the peer-ids spec keys, checked against js-libp2p's peerIdFromPublicKey. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ed25519, 080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e,"
        + " 12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq,"
        + " bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6",
    "secp256k1, 08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99,"
        + " 16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY,"
        + " bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte",
  })
  void derivesFromPublicKeyAndRoundTrips(String name, String keyHex, String b58, String cid) {
    PeerId id = PeerId.fromPublicKeyProtobuf(HEX.parseHex(keyHex));
    assertThat(id.toBase58()).isEqualTo(b58);
    assertThat(id.toCidV1()).isEqualTo(cid);
    assertThat(PeerId.parse(b58)).isEqualTo(id);
    assertThat(PeerId.parse(cid)).isEqualTo(id);
    assertThat(PeerId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(id.inlinedPublicKey()).isEqualTo(HEX.parseHex(keyHex));
  }

  @ParameterizedTest
  @ValueSource(strings = {"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"})
  void sha256PeerIdParses(String text) {
    PeerId id = PeerId.parse(text);
    assertThat(id.toBase58()).isEqualTo(text);
    assertThat(id.toBytes()[0]).isEqualTo((byte) 0x12);
    assertThat(id.inlinedPublicKey()).isNull();
    assertThat(PeerId.parse(id.toCidV1())).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0",
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5",
        "12D3KooW",
        "bafkreibhcdardypsj6btvhrjvrumzo4obiefmbzez3fipdaldmvvlydryi", // raw codec, not libp2p-key
        "xyz",
        "Qm0OIl"
      })
  void rejectsGarbage(String text) {
    assertThatThrownBy(() -> PeerId.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @org.junit.jupiter.api.Test
  void identityDigestCapPlusOneIsRejected() {
    byte[] ok = new byte[2 + PeerId.MAX_IDENTITY_DIGEST];
    ok[0] = 0;
    byte[] len = Varint.encode(PeerId.MAX_IDENTITY_DIGEST);
    byte[] good = new byte[1 + len.length + PeerId.MAX_IDENTITY_DIGEST];
    System.arraycopy(len, 0, good, 1, len.length);
    assertThat(PeerId.fromBytes(good).toBytes()).hasSize(good.length);
    byte[] len2 = Varint.encode(PeerId.MAX_IDENTITY_DIGEST + 1);
    byte[] bad = new byte[1 + len2.length + PeerId.MAX_IDENTITY_DIGEST + 1];
    System.arraycopy(len2, 0, bad, 1, len2.length);
    assertThatThrownBy(() -> PeerId.fromBytes(bad)).hasMessageContaining("too long");
    assertThat(ok).isNotNull();
  }
}
