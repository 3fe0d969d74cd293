package org.chorus.dht.kad.records;

import java.util.List;

/**
 * Validates {@code /CHORUS/peer/<peerId>} records: a {@link PeerRecord} signed by the key of the
 * peer the key names (so only that peer can write its record). Select: the newest timestamp;
 * earlier values win ties and invalid values are never selected. Stateless and thread-safe.
 */
public final class PeerRecordValidator implements RecordValidator {

  @Override
  public void validate(byte[] key, byte[] value) {
    PeerRecord.verify(key, value);
  }

  @Override
  public int select(byte[] key, List<byte[]> values) {
    int best = -1;
    PeerRecord bestRecord = null;
    for (int i = 0; i < values.size(); i++) {
      PeerRecord r;
      try {
        r = PeerRecord.verify(key, values.get(i)).record();
      } catch (InvalidRecordException invalid) {
        continue;
      }
      if (bestRecord == null || r.timestamp().isAfter(bestRecord.timestamp())) {
        best = i;
        bestRecord = r;
      }
    }
    if (best < 0) {
      throw new InvalidRecordException("failed to select: no valid peer record");
    }
    return best;
  }
}
