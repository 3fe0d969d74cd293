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
    boolean reprovideRequested) {

  private static final byte FORMAT = 1;

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
        reprovideRequested);
  }

  KeyState withReprovideRequested(long due) {
    return new KeyState(
        key, target, addedAt, lastReplicated, lastReprovided, due, failures, lastActual, true);
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
        reprovideRequested);
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static KeyState decode(String key, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte format = in.readByte();
      if (format != FORMAT) {
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
          in.readBoolean());
    } catch (IOException e) {
      throw new IllegalStateException("damaged replication state for " + key, e);
    }
  }
}
