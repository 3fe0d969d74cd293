package org.chorus.dht.kad.records;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.chorus.dht.p2p.core.PeerId;

/**
 * Whether a peer is <em>verified</em>: this node's record store holds its {@code /CHORUS/peer/<id>}
 * record, the record's node signature verifies, it has not expired, and it claims a role whose
 * signing key this node knows and whose role signature verifies under that key (the {@code proven}
 * of {@code roles.PeerDiscovery}). The provider stores use it so that fake identities cannot push
 * verified providers out of a full key.
 *
 * <p>Local only: one record-store read per call, no network I/O. The verdict for a record is cached
 * by the record's SHA-256 and the role key it was checked with, so a full key asking about its 64
 * providers does not verify 128 signatures per ADD_PROVIDER; expiry is checked on every call. At
 * most {@link #MAX_CACHED} verdicts are kept (least recently used go first).
 *
 * <p>Thread-safe.
 */
public final class ProvenPeers implements Predicate<PeerId> {

  /** Named cap: verdicts cached. */
  public static final int MAX_CACHED = 4096;

  /** {@code roleKey}: the key the claim was checked with, null when none was known. */
  private record Verdict(
      byte[] digest, String role, byte[] roleKey, boolean proven, Instant expiresAt) {}

  private final RecordStore records;
  private final Function<String, Optional<byte[]>> roleKeys;
  private final Clock clock;
  private final Map<PeerId, Verdict> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Verdict> eldest) {
          return size() > MAX_CACHED;
        }
      };

  /**
   * @param roleKeys the raw Ed25519 signing key of a role, when this node knows it (as for {@link
   *     PeerRecordValidator})
   */
  public ProvenPeers(
      RecordStore records, Function<String, Optional<byte[]>> roleKeys, Clock clock) {
    this.records = Objects.requireNonNull(records, "records");
    this.roleKeys = Objects.requireNonNull(roleKeys, "roleKeys");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public boolean test(PeerId peer) {
    byte[] key = PeerRecord.dhtKey(peer);
    Optional<byte[]> value = records.get(key).map(r -> r.value());
    if (value.isEmpty()) {
      return false;
    }
    byte[] digest = sha256(value.get());
    Verdict verdict;
    synchronized (cache) {
      verdict = cache.get(peer);
    }
    if (verdict == null || !Arrays.equals(verdict.digest(), digest) || roleKeyChanged(verdict)) {
      verdict = verify(key, value.get(), digest);
      synchronized (cache) {
        cache.put(peer, verdict);
      }
    }
    return verdict.proven() && clock.instant().isBefore(verdict.expiresAt());
  }

  // a verdict holds while the role's key is the one it was checked with (or still unknown)
  private boolean roleKeyChanged(Verdict v) {
    if (v.role().isEmpty()) {
      return false;
    }
    byte[] now = roleKeys.apply(v.role()).orElse(null);
    return !Arrays.equals(now, v.roleKey());
  }

  private Verdict verify(byte[] key, byte[] value, byte[] digest) {
    PeerRecord.Verified verified;
    try {
      verified = PeerRecord.verify(key, value);
    } catch (InvalidRecordException e) {
      return new Verdict(digest, "", null, false, Instant.MIN);
    }
    PeerRecord record = verified.record();
    byte[] roleKey =
        record.role().isEmpty()
            ? null
            : roleKeys.apply(record.role()).map(byte[]::clone).orElse(null);
    boolean proven = roleKey != null && verified.roleClaimVerifies(roleKey);
    return new Verdict(digest, record.role(), roleKey, proven, record.expiresAt());
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("failed to hash: SHA-256 missing", e);
    }
  }
}
