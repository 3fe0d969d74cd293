package org.chorus.dht.replication;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The durable replication state of one key. Times are epoch milliseconds, 0 meaning never.
 *
 * @param key the DHT key
 * @param target wanted copies
 * @param addedAt when the key was registered
 * @param lastReplicated last time copies were sent (store, repair or republish)
 * @param lastReprovided last republish + reprovide
 * @param nextDue when the scheduler handles the key next
 * @param failures consecutive failed repairs (drives the backoff)
 * @param lastActual live copies at the last count, -1 before the first
 * @param reprovideRequested republish and reprovide at the next run whatever the schedule says
 * @param forgetAt when to stop tracking the key (epoch millis; 0: never): a tombstone is kept alive
 *     for {@code chorus.storage.tombstone-ttl}, then forgotten
 */
public record KeyState(
    String key,
    int target,
    long addedAt,
    long lastReplicated,
    long lastReprovided,
    long nextDue,
    int failures,
    int lastActual,
    boolean reprovideRequested,
    long forgetAt) {

  private static final byte FORMAT = 2;
  private static final byte FORMAT_WITHOUT_FORGET = 1;

  /** A key tracked until it is removed. */
  public KeyState(
      String key,
      int target,
      long addedAt,
      long lastReplicated,
      long lastReprovided,
      long nextDue,
      int failures,
      int lastActual,
      boolean reprovideRequested) {
    this(
        key,
        target,
        addedAt,
        lastReplicated,
        lastReprovided,
        nextDue,
        failures,
        lastActual,
        reprovideRequested,
        0);
  }

  /** Whether the key is due to be forgotten at {@code nowMillis}. */
  public boolean forgotten(long nowMillis) {
    return forgetAt != 0 && nowMillis >= forgetAt;
  }

  KeyState withForgetAt(long at) {
    return new KeyState(
        key,
        target,
        addedAt,
        lastReplicated,
        lastReprovided,
        nextDue,
        failures,
        lastActual,
        reprovideRequested,
        at);
  }

  /** Health at the last count. */
  public ReplicationHealth health() {
    return ReplicationHealth.of(lastActual, target);
  }

  public boolean underReplicated() {
    return lastActual >= 0 && lastActual < target;
  }

  public boolean critical() {
    return health() == ReplicationHealth.CRITICAL;
  }

  KeyState withNextDue(long due) {
    return new KeyState(
        key,
        target,
        addedAt,
        lastReplicated,
        lastReprovided,
        due,
        failures,
        lastActual,
        reprovideRequested,
        forgetAt);
  }

  KeyState withReprovideRequested(long due) {
    return new KeyState(
        key,
        target,
        addedAt,
        lastReplicated,
        lastReprovided,
        due,
        failures,
        lastActual,
        true,
        forgetAt);
  }

  KeyState withLastActual(int actual) {
    return new KeyState(
        key,
        target,
        addedAt,
        lastReplicated,
        lastReprovided,
        nextDue,
        failures,
        actual,
        reprovideRequested,
        forgetAt);
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeInt(target);
      out.writeLong(addedAt);
      out.writeLong(lastReplicated);
      out.writeLong(lastReprovided);
      out.writeLong(nextDue);
      out.writeInt(failures);
      out.writeInt(lastActual);
      out.writeBoolean(reprovideRequested);
      out.writeLong(forgetAt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static KeyState decode(String key, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte format = in.readByte();
      if (format != FORMAT && format != FORMAT_WITHOUT_FORGET) {
        throw new IllegalStateException("unknown replication state format " + format);
      }
      return new KeyState(
          key,
          in.readInt(),
          in.readLong(),
          in.readLong(),
          in.readLong(),
          in.readLong(),
          in.readInt(),
          in.readInt(),
          in.readBoolean(),
          format == FORMAT ? in.readLong() : 0);
    } catch (IOException e) {
      throw new IllegalStateException("damaged replication state for " + key, e);
    }
  }
}
