package org.chorus.dht.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one Ed25519 identity key, {@code <data-dir>/node-identity.key} (a protobuf libp2p
 * {@code PrivateKey}, mode 600): its libp2p peer id, the key of the Noise handshake, the signer of
 * content envelopes and of the node's peer record. One key, so that whoever sees an envelope or a
 * peer record can tie it to the peer that made it.
 *
 * <p>Earlier versions kept a second key, {@code node-signing.key}, for envelopes; it is left unused
 * (envelopes carry their creator's public key, so records it signed still verify). Stateless.
 */
public final class NodeIdentity {

  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

  /** The identity key file in the data directory. */
  public static final String FILE_NAME = "node-identity.key";

  /** The envelope signing key of earlier versions, no longer used. */
  public static final String LEGACY_SIGNING_KEY_FILE = "node-signing.key";

  private NodeIdentity() {}

  /**
   * Loads {@code <dataDir>/node-identity.key}, creating it (mode 600, written atomically) when it
   * does not exist.
   *
   * @throws IOException if the file cannot be read or written, or holds no Ed25519 key
   */
  public static IdentityKey loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    IdentityKey key;
    boolean created = false;
    if (Files.exists(file)) {
      try {
        key = IdentityKey.fromProtobuf(Files.readAllBytes(file));
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "failed to load node identity key " + file + ": " + e.getMessage(), e);
      }
    } else {
      key = IdentityKey.generate();
      SecureFiles.writePrivate(file, key.toProtobuf());
      created = true;
    }
    log.info(
        "Node identity key (Ed25519; libp2p peer id, signs envelopes and the peer record) {} {}: {}",
        created ? "created in" : "loaded from",
        file.toAbsolutePath(),
        key.peerId());
    Path legacy = dataDir.resolve(LEGACY_SIGNING_KEY_FILE);
    if (Files.exists(legacy)) {
      log.info(
          "{} is no longer used (envelopes are now signed by the node identity key; envelopes it"
              + " signed still verify); it may be deleted",
          legacy.toAbsolutePath());
    }
    return key;
  }
}
