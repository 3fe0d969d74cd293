package org.chorus.dht.p2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoTest {
  static final HexFormat HEX = HexFormat.of();

  @Test
  void seedOneGivesTheJsPeerId() {
    byte[] seed = new byte[32];
    seed[31] = 1;
    IdentityKey key = IdentityKey.fromSeed(seed);
    assertThat(key.peerId().toBase58())
        .isEqualTo("12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp");
    assertThat(Base64.getEncoder().encodeToString(key.publicKeyProtobuf()))
        .isEqualTo("CAESIEy1q/atefv1q7zK/MJp2FzSZR7UuIW1hp8kGu3wpbop");
  }

  /** The peer-ids spec's Ed25519 private key; signature made by js-libp2p. */
  @Test
  void specEd25519PrivateKeyAndJsSignature() {
    IdentityKey key =
        IdentityKey.fromProtobuf(
            HEX.parseHex(
                "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2"
                    + "c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
    assertThat(key.peerId().toBase58())
        .isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] jsSig =
        HEX.parseHex(
            "54f7fd037768d6479d14967d3df9500ba0720166b931e5e9912e58a0ac49fbfcef7aa3adc9b89d736d74"
                + "11749dee70eb00ff8792ecc5e8c8c39c0b97f710d40c");
    assertThat(key.sign(msg)).isEqualTo(jsSig); // Ed25519 is deterministic
    assertThat(PublicKeys.verify(key.publicKeyProtobuf(), msg, jsSig)).isTrue();
    jsSig[0] ^= 1;
    assertThat(PublicKeys.verify(key.publicKeyProtobuf(), msg, jsSig)).isFalse();
  }

  /** secp256k1 and RSA signatures made by js-libp2p verify here; tampered ones do not. */
  @Test
  void jsSecp256k1AndRsaSignaturesVerify() throws IOException {
    List<String> lines =
        new String(
                CryptoTest.class.getResourceAsStream("/p2p/js-key-vectors.txt").readAllBytes(),
                StandardCharsets.UTF_8)
            .lines()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .toList();
    assertThat(lines).hasSize(2);
    byte[] msg = "libp2p".getBytes(StandardCharsets.UTF_8);
    for (String line : lines) {
      String[] f = line.split(" ");
      byte[] pk = HEX.parseHex(f[1]);
      byte[] sig = HEX.parseHex(f[2]);
      assertThat(PublicKeys.decode(pk).type().name()).isEqualTo(f[0].toUpperCase());
      assertThat(PublicKeys.decode(pk).peerId()).isEqualTo(PeerId.parse(f[3]));
      assertThat(PublicKeys.verify(pk, msg, sig)).as(f[0]).isTrue();
      assertThat(PublicKeys.verify(pk, "other".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
    }
  }

  @Test
  void rsaKeyEncodingAlwaysWritesType() throws Exception {
    var kp = KeyPairGenerator.getInstance("RSA");
    kp.initialize(2048);
    var pair = kp.generateKeyPair();
    byte[] pb = PublicKeys.encode(KeyType.RSA, pair.getPublic().getEncoded());
    assertThat(HEX.formatHex(pb)).startsWith("0800"); // Type = RSA (0) written, as js does
    assertThat(PublicKeys.decode(pb).peerId().toBase58()).startsWith("Qm");
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(pair.getPrivate());
    s.update(new byte[] {1, 2, 3});
    assertThat(PublicKeys.verify(pb, new byte[] {1, 2, 3}, s.sign())).isTrue();
  }

  @Test
  void rsaBelowTheMinimumSizeIsRefused() throws Exception {
    var kp = KeyPairGenerator.getInstance("RSA");
    kp.initialize(PublicKeys.MIN_RSA_BITS - 1024);
    var pair = kp.generateKeyPair();
    byte[] pb = PublicKeys.encode(KeyType.RSA, pair.getPublic().getEncoded());
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(pair.getPrivate());
    s.update(new byte[] {1});
    assertThat(PublicKeys.verify(pb, new byte[] {1}, s.sign())).isFalse();
  }

  @Test
  void rejectsEcdsaAndOversizedKeys() {
    assertThatThrownBy(() -> PublicKeys.decode(PublicKeys.encode(KeyType.ECDSA, new byte[10])))
        .hasMessageContaining("unsupported");
    assertThatThrownBy(() -> PublicKeys.decode(new byte[PublicKeys.MAX_ENCODED + 1]))
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> PublicKeys.decode(new byte[] {0x08, 0x01, 0x12, 0x01, 0x00}))
        .hasMessageContaining("Ed25519 key of 1 bytes");
  }

  @Test
  void persistsAndReloadsTheIdentity(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sub/identity.key");
    IdentityKey first = IdentityKey.loadOrCreate(file);
    IdentityKey again = IdentityKey.loadOrCreate(file);
    assertThat(again.peerId()).isEqualTo(first.peerId());
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readAllBytes(file)).hasSize(68); // PrivateKey{Type, Data(64)}
  }
}
