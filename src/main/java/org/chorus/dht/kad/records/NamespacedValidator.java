package org.chorus.dht.kad.records;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dispatches on a record key's namespace like go-libp2p-record and js {@code @libp2p/record}: the
 * key read as UTF-8 must be {@code /<namespace>/<rest>} (at least three {@code /}-separated parts,
 * the first empty), and {@code <namespace>} (case-sensitive) picks the validator. Keys of unknown
 * namespaces are refused. Immutable and thread-safe if its validators are.
 */
public final class NamespacedValidator implements RecordValidator {
  /** Our namespace: {@code /CHORUS/...}. */
  public static final String CHORUS = "CHORUS";

  private final Map<String, RecordValidator> byNamespace;

  public NamespacedValidator(Map<String, RecordValidator> byNamespace) {
    this.byNamespace = Map.copyOf(byNamespace);
  }

  /** {@code /CHORUS/...} accepted as is, until the envelope validators are plugged in. */
  public static NamespacedValidator permissiveChorus() {
    return new NamespacedValidator(Map.of(CHORUS, RecordValidator.PERMISSIVE));
  }

  /** The namespace of {@code key}, or empty if the key is not {@code /<ns>/<rest>}. */
  public static Optional<String> namespace(byte[] key) {
    String[] parts = new String(key, StandardCharsets.UTF_8).split("/", -1);
    if (parts.length < 3 || !parts[0].isEmpty() || parts[1].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(parts[1]);
  }

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
    String ns =
        namespace(key)
            .orElseThrow(
                () -> new InvalidRecordException("failed to validate: key is not /namespace/..."));
    RecordValidator v = byNamespace.get(ns);
    if (v == null) {
      throw new InvalidRecordException(
          InvalidRecordException.Reason.UNKNOWN_NAMESPACE,
          "failed to validate: no validator for namespace \"" + ns + "\"");
    }
    return v;
  }
}
