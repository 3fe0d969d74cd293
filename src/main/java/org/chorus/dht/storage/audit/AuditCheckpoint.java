package org.chorus.dht.storage.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A signed statement of the node: "the first {@code lines} lines of my audit log end with a line
 * whose SHA-256 is {@code head}" (for {@code lines == 0}, {@code head} is {@link
 * AuditLog#GENESIS}), made at {@code ts} by the key of peer {@code peer}. Immutable.
 *
 * <p>The signed message is the UTF-8 of {@code chorus-dht audit checkpoint v1\n<kind>\n<peer>\n
 * <lines>\n<head>\n<ts>\n}, where {@code <kind>} is {@code line} for a checkpoint line inside the
 * log and {@code file} for {@code audit.checkpoint}: the two are not interchangeable, so a
 * checkpoint line left in a cut log cannot be turned into a checkpoint file by someone without the
 * key. The signature is Ed25519, written as unpadded base64url.
 *
 * @param lines lines covered (from the first line of the file)
 * @param head lower-case hex SHA-256 of the last covered line
 * @param ts when the checkpoint was made
 * @param peer the libp2p peer id of the signing key
 * @param signature unpadded base64url Ed25519 signature of the message above
 */
public record AuditCheckpoint(long lines, String head, Instant ts, String peer, String signature) {

  /** The two places a checkpoint is written, which sign different messages. */
  public enum Kind {
    /** A checkpoint line in {@code audit.log}. */
    LINE,
    /** The {@code audit.checkpoint} file. */
    FILE
  }

  private static final String DOMAIN = "chorus-dht audit checkpoint v1";

  public AuditCheckpoint {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(signature, "signature");
  }

  /** Signs a checkpoint of {@code lines} lines ending in {@code head}. */
  static AuditCheckpoint sign(Kind kind, long lines, String head, Instant ts, AuditSigner signer) {
    byte[] sig = signer.sign(message(kind, lines, head, ts, signer.peerId()));
    return new AuditCheckpoint(
        lines,
        head,
        ts,
        signer.peerId(),
        Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
  }

  /** Whether this checkpoint names {@code signer}'s peer and carries its valid signature. */
  boolean signedBy(Kind kind, AuditSigner signer) {
    if (!peer.equals(signer.peerId())) {
      return false;
    }
    byte[] sig;
    try {
      sig = Base64.getUrlDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return signer.verifies(message(kind, lines, head, ts, peer), sig);
  }

  static byte[] message(Kind kind, long lines, String head, Instant ts, String peer) {
    return (DOMAIN
            + "\n"
            + kind.name().toLowerCase(java.util.Locale.ROOT)
            + "\n"
            + peer
            + "\n"
            + lines
            + "\n"
            + head
            + "\n"
            + ts
            + "\n")
        .getBytes(UTF_8);
  }
}
