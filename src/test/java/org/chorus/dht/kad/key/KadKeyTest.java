package org.chorus.dht.kad.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.chorus.dht.kad.KadTestPeers;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.api.Test;

class KadKeyTest {

  private static KadKey random(Random rnd) {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return KadKey.fromBytes(b);
  }

  @Test
  void peerKeyIsSha256OfTheMultihashBytes() throws Exception {
    PeerId p = KadTestPeers.randomPeer(new Random(1));
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(p.toBytes());
    assertThat(KadKey.of(p).toBytes()).isEqualTo(expected);
    assertThat(KadKey.ofRecordKey("abc".getBytes()).toString())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void bytesRoundTripAndLengthIsChecked() {
    byte[] b = HexFormat.of().parseHex("80" + "00".repeat(30) + "01");
    assertThat(KadKey.fromBytes(b).toBytes()).isEqualTo(b);
    assertThatThrownBy(() -> KadKey.fromBytes(new byte[31])).hasMessageContaining("32 bytes");
  }

  @Test
  void distanceAgreesWithBigIntegerXor() {
    Random rnd = new Random(7);
    for (int i = 0; i < 500; i++) {
      KadKey a = random(rnd);
      KadKey b = random(rnd);
      KadKey t = random(rnd);
      BigInteger da = big(a).xor(big(t));
      BigInteger db = big(b).xor(big(t));
      assertThat(Integer.signum(a.distance(t).compareTo(b.distance(t))))
          .isEqualTo(da.compareTo(db));
      assertThat(Integer.signum(t.compareDistance(a, b))).isEqualTo(da.compareTo(db));
      assertThat(new BigInteger(1, a.distance(t).toBytes())).isEqualTo(da);
      assertThat(a.commonPrefixLength(t)).isEqualTo(256 - da.bitLength());
      assertThat(a.distance(t).commonPrefixLength()).isEqualTo(256 - da.bitLength());
      assertThat(Integer.signum(a.compareTo(b))).isEqualTo(big(a).compareTo(big(b)));
    }
  }

  @Test
  void selfDistanceIsZeroWithBucketMinusOne() {
    KadKey a = random(new Random(3));
    assertThat(a.distance(a)).isEqualTo(Distance.ZERO);
    assertThat(a.commonPrefixLength(a)).isEqualTo(256);
    assertThat(a.distance(a).bucketIndex()).isEqualTo(-1);
  }

  @Test
  void withCommonPrefixHitsEveryCpl() {
    Random rnd = new Random(11);
    KadKey local = random(rnd);
    for (int cpl = 0; cpl < 256; cpl++) {
      KadKey k = local.withCommonPrefix(cpl, random(rnd));
      assertThat(local.commonPrefixLength(k)).as("cpl %d", cpl).isEqualTo(cpl);
      assertThat(local.distance(k).bucketIndex()).isEqualTo(cpl);
    }
  }

  private static BigInteger big(KadKey k) {
    return new BigInteger(1, k.toBytes());
  }
}
