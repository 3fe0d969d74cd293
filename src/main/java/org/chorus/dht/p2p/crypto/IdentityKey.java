package org.chorus.dht.p2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.pb.P2pProto;

/**
 * This node's Ed25519 identity key. Persisted as a protobuf libp2p {@code PrivateKey} (Type
 * Ed25519, Data = 32-byte seed || 32-byte public key, the go/js layout), file mode 600. Immutable
 * and thread-safe.
 */
public final class IdentityKey {
  private final byte[] seed;
  private final byte[] publicKey;
  private final byte[] publicKeyProtobuf;
  private final PeerId peerId;

  private IdentityKey(byte[] seed) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    this.seed = seed.clone();
    this.publicKey = new byte[32];
    Ed25519.generatePublicKey(this.seed, 0, publicKey, 0);
    this.publicKeyProtobuf = PublicKeys.encode(KeyType.ED25519, publicKey);
    this.peerId = PeerId.fromPublicKeyProtobuf(publicKeyProtobuf);
  }

  /** A key from its 32-byte seed (deterministic: seed 00..01 → 12D3KooWEyop…). */
  public static IdentityKey fromSeed(byte[] seed) {
    return new IdentityKey(seed);
  }

  public static IdentityKey generate() {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return new IdentityKey(seed);
  }

  /** Decodes a protobuf libp2p PrivateKey of type Ed25519 (64-byte or 32-byte Data). */
  public static IdentityKey fromProtobuf(byte[] protobuf) {
    try {
      P2pProto.PrivateKey pk = P2pProto.PrivateKey.parseFrom(protobuf);
      if (pk.getType() != P2pProto.KeyType.Ed25519) {
        throw new IllegalArgumentException("identity key is not Ed25519: " + pk.getType());
      }
      byte[] data = pk.getData().toByteArray();
      if (data.length != 64 && data.length != 32) {
        throw new IllegalArgumentException("Ed25519 private key of " + data.length + " bytes");
      }
      IdentityKey key = new IdentityKey(Arrays.copyOf(data, 32));
      if (data.length == 64 && !Arrays.equals(key.publicKey, Arrays.copyOfRange(data, 32, 64))) {
        throw new IllegalArgumentException("Ed25519 private key: public half does not match");
      }
      return key;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("failed to decode private key: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the key from {@code file}, or creates one there (mode 600, written atomically) if the
   * file does not exist.
   */
  public static IdentityKey loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return fromProtobuf(Files.readAllBytes(file));
    }
    IdentityKey key = generate();
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".identity", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      Files.write(tmp, key.toProtobuf());
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return key;
  }

  /** protobuf PrivateKey{Type=Ed25519, Data=seed||public}. */
  public byte[] toProtobuf() {
    byte[] data = new byte[64];
    System.arraycopy(seed, 0, data, 0, 32);
    System.arraycopy(publicKey, 0, data, 32, 32);
    return P2pProto.PrivateKey.newBuilder()
        .setType(P2pProto.KeyType.Ed25519)
        .setData(ByteString.copyFrom(data))
        .build()
        .toByteArray();
  }

  /** Ed25519 signature of {@code message} (Bouncy Castle's arithmetic: the JDK's is slow). */
  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** Raw 32-byte Ed25519 public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** protobuf-encoded libp2p PublicKey. */
  public byte[] publicKeyProtobuf() {
    return publicKeyProtobuf.clone();
  }

  public PeerId peerId() {
    return peerId;
  }

  @Override
  public String toString() {
    return "IdentityKey[" + peerId + "]";
  }
}
