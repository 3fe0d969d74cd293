package org.chorus.dht.kad.records;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.chorus.dht.kad.records.InvalidRecordException.Reason;

/**
 * Validates {@code /CHORUS/peer/<peerId>} records: a {@link PeerRecord} signed by the key of the
 * peer the key names (so only that peer can write its record), not expired, and, when this node
 * knows the signing key of the role it claims, with a role claim that verifies under that key
 * ({@code UNAUTHORIZED} otherwise, so hostile claims are neither stored nor passed on). A claim for
 * a role whose key this node does not know is accepted here: it can be neither proven nor refuted,
 * and the roles layer reports it as unproven.
 *
 * <p>Select: the highest sequence number among the valid values; earlier values win ties and
 * invalid (also expired) values are never selected. So a PUT of a lower sequence than the valid
 * record held is refused as a rollback by the request handler.
 *
 * <p>Thread-safe if {@code roleKeys} is.
 */
public final class PeerRecordValidator implements RecordValidator {

  private final Clock clock;
  private final Function<String, Optional<byte[]>> roleKeys;

  /** On the system clock, knowing no role keys (node signature, structure and expiry only). */
  public PeerRecordValidator() {
    this(Clock.systemUTC(), role -> Optional.empty());
  }

  /**
   * @param roleKeys the raw Ed25519 signing key of a role, when this node knows it
   */
  public PeerRecordValidator(Clock clock, Function<String, Optional<byte[]>> roleKeys) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.roleKeys = Objects.requireNonNull(roleKeys, "roleKeys");
  }

  @Override
  public void validate(byte[] key, byte[] value) {
    check(key, value);
  }

  @Override
  public int select(byte[] key, List<byte[]> values) {
    int best = -1;
    long bestSequence = -1;
    for (int i = 0; i < values.size(); i++) {
      PeerRecord r;
      try {
        r = check(key, values.get(i));
      } catch (InvalidRecordException invalid) {
        continue;
      }
      if (best < 0 || r.sequence() > bestSequence) {
        best = i;
        bestSequence = r.sequence();
      }
    }
    if (best < 0) {
      throw new InvalidRecordException("failed to select: no valid peer record");
    }
    return best;
  }

  private PeerRecord check(byte[] key, byte[] value) {
    PeerRecord.Verified verified = PeerRecord.verify(key, value);
    PeerRecord record = verified.record();
    record.checkTime(clock.instant());
    if (!record.role().isEmpty()) {
      Optional<byte[]> roleKey = roleKeys.apply(record.role());
      if (roleKey.isPresent() && !verified.roleClaimVerifies(roleKey.get())) {
        throw new InvalidRecordException(
            Reason.UNAUTHORIZED,
            "failed to validate peer record: the claim of role '"
                + record.role()
                + "' is not signed by that role's key");
      }
    }
    return record;
  }
}
