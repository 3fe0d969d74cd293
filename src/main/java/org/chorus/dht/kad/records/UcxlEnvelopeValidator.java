package org.chorus.dht.kad.records;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.envelope.WriteAuthority;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;
import org.chorus.dht.ucxl.UcxlAddress;

/**
 * Validates {@code /CHORUS/ucxl/<base64url(sha256(address))>} records (ARCHITECTURE.md, "Write
 * authority"): the value must be a content envelope of at most the configured size that {@link
 * EnvelopeCodec#verify} accepts: signed by the signing key of a role that may write the address
 * (its role segment, or admin authority; never read-only) and by the writing node. Applied alike to
 * PUTs from peers, to values a lookup receives and to this node's own writes.
 *
 * <p>Select: the highest version, then the lower tiebreak ({@link EnvelopeCodec#compare}); invalid
 * values are never selected. Replace ({@link #checkReplaces}): a held record is replaced only by a
 * higher version ({@link Reason#ROLLBACK} for a lower one), never by other content at the same
 * version ({@link Reason#CONFLICT}: the first write of a version that reached a node holds it), and
 * always when the held record is no longer valid (a format 1 envelope, say).
 *
 * <p>Immutable and thread-safe.
 */
public final class UcxlEnvelopeValidator implements RecordValidator {
  /** Named cap: the largest envelope accepted, the kad message limit. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 4 * 1024 * 1024;

  private final EnvelopeCodec codec;
  private final WriteAuthority authority;

  public UcxlEnvelopeValidator(int maxValueBytes, WriteAuthority authority) {
    this.codec = new EnvelopeCodec(maxValueBytes);
    this.authority = Objects.requireNonNull(authority, "authority");
  }

  public UcxlEnvelopeValidator(WriteAuthority authority) {
    this(DEFAULT_MAX_VALUE_BYTES, authority);
  }

  @Override
  public void validate(byte[] key, byte[] value) {
    envelope(key, value);
  }

  @Override
  public int select(byte[] key, List<byte[]> values) {
    int best = -1;
    ContentEnvelope bestEnvelope = null;
    for (int i = 0; i < values.size(); i++) {
      ContentEnvelope e;
      try {
        e = envelope(key, values.get(i));
      } catch (InvalidRecordException invalid) {
        continue;
      }
      if (bestEnvelope == null || EnvelopeCodec.compare(e, bestEnvelope) > 0) {
        best = i;
        bestEnvelope = e;
      }
    }
    if (best < 0) {
      throw new InvalidRecordException("failed to select: no valid ucxl envelope");
    }
    return best;
  }

  @Override
  public void checkReplaces(byte[] key, byte[] incoming, byte[] held) {
    ContentEnvelope in = envelope(key, incoming);
    ContentEnvelope old;
    try {
      old = envelope(key, held);
    } catch (InvalidRecordException e) {
      return; // what is held is no longer valid: anything valid replaces it
    }
    int order = EnvelopeCodec.compare(in, old);
    if (order == 0) {
      return; // the same signed content: a refresh
    }
    long have = old.metadata().version();
    long got = in.metadata().version();
    if (got < have) {
      throw new InvalidRecordException(
          Reason.ROLLBACK, "ucxl envelope version " + got + " is older than the held " + have);
    }
    if (got == have) {
      throw new InvalidRecordException(
          Reason.CONFLICT, "another ucxl envelope holds version " + have + " already");
    }
  }

  /** The envelope in {@code value}, verified for {@code key}. */
  public ContentEnvelope envelope(byte[] key, byte[] value) {
    String k = new String(key, StandardCharsets.UTF_8);
    if (!k.startsWith(UcxlAddress.DHT_KEY_PREFIX)) {
      throw new InvalidRecordException(
          "failed to validate: key is not " + UcxlAddress.DHT_KEY_PREFIX);
    }
    try {
      return codec.decodeAndVerify(k, value, authority);
    } catch (InvalidEnvelopeException e) {
      throw new InvalidRecordException(
          reason(e.kind()), "failed to validate ucxl envelope: " + e.getMessage());
    }
  }

  private static Reason reason(InvalidEnvelopeException.Kind kind) {
    return switch (kind) {
      case MALFORMED -> Reason.MALFORMED;
      case TOO_LARGE -> Reason.TOO_LARGE;
      case BAD_SIGNATURE -> Reason.BAD_SIGNATURE;
      case UNAUTHORIZED -> Reason.UNAUTHORIZED;
    };
  }
}
