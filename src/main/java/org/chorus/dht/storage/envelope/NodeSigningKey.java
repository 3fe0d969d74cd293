package org.chorus.dht.storage.envelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.system.SecureFiles;

/**
 * The node's Ed25519 key that signs content envelopes (JDK Ed25519). Persisted in the data
 * directory so that a restarted node signs with the same key. Thread-safe (a new {@link Signature}
 * per call).
 */
public final class NodeSigningKey implements EnvelopeSigner {

  /** File name inside the data directory. */
  public static final String FILE_NAME = "node-signing.key";

  private static final String HEADER = "# chorus-dht node signing key (Ed25519; PKCS#8, X.509)";

  private final PrivateKey privateKey;
  private final byte[] rawPublicKey;

  private NodeSigningKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.rawPublicKey = EnvelopeCodec.rawEd25519(publicKey);
  }

  /** Generates a key that lives only in memory (tests). */
  public static NodeSigningKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new NodeSigningKey(pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available", e);
    }
  }

  /** Reads {@code <dataDir>/node-signing.key}, creating it (mode 600) on first use. */
  public static NodeSigningKey loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      KeyFactory factory = KeyFactory.getInstance("Ed25519");
      if (Files.exists(file)) {
        List<String> lines =
            Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        if (lines.size() != 2) {
          throw new IOException("failed to read " + file + ": expected two key lines");
        }
        return new NodeSigningKey(
            factory.generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0).trim()))),
            factory.generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1).trim()))));
      }
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      String text =
          HEADER
              + "\n"
              + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded())
              + "\n"
              + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())
              + "\n";
      SecureFiles.writePrivate(file, text.getBytes(StandardCharsets.US_ASCII));
      return new NodeSigningKey(pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("failed to load node signing key " + file + ": " + e.getMessage(), e);
    }
  }

  /** The raw 32-byte public key. */
  @Override
  public byte[] publicKey() {
    return rawPublicKey.clone();
  }

  /** Signs {@code message}. */
  @Override
  public byte[] sign(byte[] message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to sign: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "NodeSigningKey[" + Base64.getEncoder().encodeToString(rawPublicKey) + "]";
  }

  boolean matches(byte[] publicKey) {
    return Arrays.equals(rawPublicKey, publicKey);
  }
}
