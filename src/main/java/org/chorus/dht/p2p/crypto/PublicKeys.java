package org.chorus.dht.p2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.pb.P2pProto;

/**
 * libp2p public keys: protobuf encoding ({@code PublicKey{Type=1, Data=2}}, Type always written, as
 * js-libp2p does) and signature verification for Ed25519 (raw 64-byte signatures), secp256k1 (DER
 * ECDSA over SHA-256, compressed 33-byte keys) and RSA (PKCS#1 v1.5 SHA-256, DER
 * SubjectPublicKeyInfo). ECDSA keys are refused. Stateless, thread-safe.
 */
public final class PublicKeys {
  /** Largest protobuf PublicKey accepted (an RSA-8192 SubjectPublicKeyInfo is ~1.1 KB). */
  public static final int MAX_ENCODED = 2048;

  /** RSA size bounds (go-libp2p uses the same). */
  public static final int MIN_RSA_BITS = 2048;

  public static final int MAX_RSA_BITS = 8192;

  private static final byte[] ED25519_SPKI_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");
  private static final X9ECParameters SECP256K1 = CustomNamedCurves.getByName("secp256k1");
  private static final ECDomainParameters SECP256K1_DOMAIN =
      new ECDomainParameters(
          SECP256K1.getCurve(), SECP256K1.getG(), SECP256K1.getN(), SECP256K1.getH());

  /** A decoded libp2p public key. */
  public record Decoded(KeyType type, byte[] data, byte[] protobuf) {
    public PeerId peerId() {
      return PeerId.fromPublicKeyProtobuf(protobuf);
    }
  }

  private PublicKeys() {}

  /** Encodes {@code PublicKey{Type, Data}} with Type always present. */
  public static byte[] encode(KeyType type, byte[] data) {
    return P2pProto.PublicKey.newBuilder()
        .setType(P2pProto.KeyType.forNumber(type.number()))
        .setData(ByteString.copyFrom(data))
        .build()
        .toByteArray();
  }

  /**
   * Decodes and sanity-checks a protobuf PublicKey.
   *
   * @throws IllegalArgumentException if malformed, too large or of an unsupported type
   */
  public static Decoded decode(byte[] protobuf) {
    if (protobuf.length > MAX_ENCODED) {
      throw new IllegalArgumentException("public key longer than " + MAX_ENCODED + " bytes");
    }
    P2pProto.PublicKey pk;
    try {
      pk = P2pProto.PublicKey.parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("failed to decode public key: " + e.getMessage());
    }
    byte[] data = pk.getData().toByteArray();
    KeyType type =
        switch (pk.getType()) {
          case Ed25519 -> {
            if (data.length != 32) {
              throw new IllegalArgumentException("Ed25519 key of " + data.length + " bytes");
            }
            yield KeyType.ED25519;
          }
          case Secp256k1 -> {
            if (data.length != 33) {
              throw new IllegalArgumentException("secp256k1 key of " + data.length + " bytes");
            }
            yield KeyType.SECP256K1;
          }
          case RSA -> KeyType.RSA;
          default -> throw new IllegalArgumentException("unsupported key type " + pk.getType());
        };
    return new Decoded(type, data, protobuf.clone());
  }

  /** Verifies {@code sig} over {@code message} with a protobuf-encoded public key. */
  public static boolean verify(byte[] publicKeyProtobuf, byte[] message, byte[] sig) {
    Decoded key = decode(publicKeyProtobuf);
    try {
      return switch (key.type()) {
        case ED25519 -> verifyEd25519(key.data(), message, sig);
        case SECP256K1 -> verifySecp256k1(key.data(), message, sig);
        case RSA -> verifyRsa(key.data(), message, sig);
        case ECDSA -> false;
      };
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static PublicKey ed25519PublicKey(byte[] raw) throws GeneralSecurityException {
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** On Bouncy Castle's arithmetic (the JDK's EdDSA is several times slower). */
  private static boolean verifyEd25519(byte[] raw, byte[] message, byte[] sig) {
    if (sig.length != 64 || raw.length != 32) {
      return false;
    }
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        sig, 0, raw, 0, message, 0, message.length);
  }

  private static boolean verifySecp256k1(byte[] compressed, byte[] message, byte[] der)
      throws GeneralSecurityException {
    if (der.length > 80) {
      return false;
    }
    ASN1Sequence seq;
    try {
      seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (Exception e) {
      return false;
    }
    if (seq.size() != 2) {
      return false;
    }
    BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
    BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
    ECDSASigner signer = new ECDSASigner();
    signer.init(
        false,
        new ECPublicKeyParameters(SECP256K1.getCurve().decodePoint(compressed), SECP256K1_DOMAIN));
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
    return signer.verifySignature(digest, r, s);
  }

  private static boolean verifyRsa(byte[] spki, byte[] message, byte[] sig)
      throws GeneralSecurityException {
    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
    int bits = ((RSAPublicKey) key).getModulus().bitLength();
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      return false;
    }
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initVerify(key);
    s.update(message);
    return s.verify(sig);
  }
}
