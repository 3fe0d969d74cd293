package org.chorus.dht.kad.records;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.chorus.dht.envelope.WriteAuthority;

/**
 * The validators of our records (DESIGN.md "Kademlia"): namespace {@code CHORUS} dispatching on the
 * second path element, {@code /CHORUS/ucxl/...} to {@link UcxlEnvelopeValidator} and {@code
 * /CHORUS/peer/...} to {@link PeerRecordValidator}; any other {@code /CHORUS/...} key and any other
 * namespace are refused. Immutable and thread-safe.
 */
public final class ChorusValidators {
  /** Sub-namespace of content envelopes. */
  public static final String UCXL = "ucxl";

  /** Sub-namespace of peer records. */
  public static final String PEER = "peer";

  private ChorusValidators() {}

  /** The validator for every key, with the default envelope size cap. */
  public static NamespacedValidator create(WriteAuthority authority) {
    return create(UcxlEnvelopeValidator.DEFAULT_MAX_VALUE_BYTES, authority);
  }

  /**
   * As {@link #create(WriteAuthority)}, envelopes capped at {@code maxEnvelopeBytes}; {@code
   * authority} says which role may write which address and knows the roles' signing keys (for
   * envelopes and for the role claims of peer records, checked on the system clock).
   */
  public static NamespacedValidator create(int maxEnvelopeBytes, WriteAuthority authority) {
    return new NamespacedValidator(
        Map.of(
            NamespacedValidator.CHORUS,
            new SubNamespaces(
                Map.of(
                    UCXL,
                    new UcxlEnvelopeValidator(maxEnvelopeBytes, authority),
                    PEER,
                    new PeerRecordValidator(Clock.systemUTC(), authority::signerKey)))));
  }

  /** Dispatches {@code /CHORUS/<sub>/...} on {@code <sub>}. */
  private record SubNamespaces(Map<String, RecordValidator> bySub) implements RecordValidator {
    @Override
    public void validate(byte[] key, byte[] value) {
      validatorFor(key).validate(key, value);
    }

    @Override
    public int select(byte[] key, List<byte[]> values) {
      return validatorFor(key).select(key, values);
    }

    @Override
    public void checkReplaces(byte[] key, byte[] incoming, byte[] held) {
      validatorFor(key).checkReplaces(key, incoming, held);
    }

    private RecordValidator validatorFor(byte[] key) {
      String[] parts = new String(key, StandardCharsets.UTF_8).split("/", -1);
      RecordValidator v = parts.length >= 4 ? bySub.get(parts[2]) : null;
      if (v == null) {
        throw new InvalidRecordException(
            InvalidRecordException.Reason.UNKNOWN_NAMESPACE,
            "failed to validate: no validator for /CHORUS/" + (parts.length >= 3 ? parts[2] : ""));
      }
      return v;
    }
  }
}
