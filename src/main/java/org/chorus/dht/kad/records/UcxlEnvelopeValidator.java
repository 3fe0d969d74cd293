package org.chorus.dht.kad.records;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.InvalidEnvelopeException;
import org.chorus.dht.ucxl.UcxlAddress;

/**
 * Validates {@code /CHORUS/ucxl/<base64url(sha256(address))>} records (DESIGN.md "Kademlia"): the
 * value must be a content envelope of at most {@link #DEFAULT_MAX_VALUE_BYTES} whose signature
 * verifies against the embedded creator key, whose ciphertext SHA-256 matches its metadata and
 * whose canonical address hashes to the record key ({@link EnvelopeCodec#decodeAndVerify}). Select:
 * the highest version, then the newest timestamp; earlier values win ties and invalid values are
 * never selected. A peer cannot overwrite an address with a record it did not sign itself, but any
 * key holder can sign a higher version: authorisation of writers is the storage layer's policy.
 *
 * <p>Immutable and thread-safe.
 */
public final class UcxlEnvelopeValidator implements RecordValidator {
  /** Named cap: the largest envelope accepted, the kad message limit. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 4 * 1024 * 1024;

  private static final Comparator<ContentEnvelope> BETTER =
      Comparator.comparingLong((ContentEnvelope e) -> e.metadata().version())
          .thenComparing(e -> e.metadata().timestamp());

  private final EnvelopeCodec codec;

  public UcxlEnvelopeValidator(int maxValueBytes) {
    this.codec = new EnvelopeCodec(maxValueBytes);
  }

  public UcxlEnvelopeValidator() {
    this(DEFAULT_MAX_VALUE_BYTES);
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
      if (bestEnvelope == null || BETTER.compare(e, bestEnvelope) > 0) {
        best = i;
        bestEnvelope = e;
      }
    }
    if (best < 0) {
      throw new InvalidRecordException("failed to select: no valid ucxl envelope");
    }
    return best;
  }

  private ContentEnvelope envelope(byte[] key, byte[] value) {
    String k = new String(key, StandardCharsets.UTF_8);
    if (!k.startsWith(UcxlAddress.DHT_KEY_PREFIX)) {
      throw new InvalidRecordException(
          "failed to validate: key is not " + UcxlAddress.DHT_KEY_PREFIX);
    }
    try {
      return codec.decodeAndVerify(k, value);
    } catch (InvalidEnvelopeException e) {
      throw new InvalidRecordException("failed to validate ucxl envelope: " + e.getMessage());
    }
  }
}
