package org.chorus.dht.storage.audit;

/**
 * Knobs of {@link RemoteRecordAudit}: the queue bound and the per-minute line budgets. Immutable;
 * {@link #validate()} is called by the constructor of {@link RemoteRecordAudit}.
 *
 * @param queueCapacity lines waiting for the writer thread; more are dropped and counted
 * @param refusedPerPeer refusal lines one peer may cause per minute
 * @param refusedTotal refusal lines all peers together may cause per minute
 * @param acceptedPerPeer acceptance lines one peer may cause per minute
 * @param acceptedTotal acceptance lines all peers together may cause per minute
 * @param maxTrackedPeers peers counted one by one per minute; events of further peers are only
 *     counted together (principal {@code *})
 */
public record RemoteAuditConfig(
    int queueCapacity,
    int refusedPerPeer,
    int refusedTotal,
    int acceptedPerPeer,
    int acceptedTotal,
    int maxTrackedPeers) {

  public static final int DEFAULT_QUEUE_CAPACITY = 4096;

  /** 10: enough to see what a misbehaving peer sends, too few to matter on disk. */
  public static final int DEFAULT_REFUSED_PER_PEER = 10;

  /** 120 refusal lines a minute from all peers: about 30 KiB. */
  public static final int DEFAULT_REFUSED_TOTAL = 120;

  /** 600 a minute: a peer republishing or repairing our keys stays audited line by line. */
  public static final int DEFAULT_ACCEPTED_PER_PEER = 600;

  public static final int DEFAULT_ACCEPTED_TOTAL = 3000;

  public static final int DEFAULT_MAX_TRACKED_PEERS = 1024;

  public static final RemoteAuditConfig DEFAULT =
      new RemoteAuditConfig(
          DEFAULT_QUEUE_CAPACITY,
          DEFAULT_REFUSED_PER_PEER,
          DEFAULT_REFUSED_TOTAL,
          DEFAULT_ACCEPTED_PER_PEER,
          DEFAULT_ACCEPTED_TOTAL,
          DEFAULT_MAX_TRACKED_PEERS);

  public RemoteAuditConfig withQueueCapacity(int value) {
    return new RemoteAuditConfig(
        value, refusedPerPeer, refusedTotal, acceptedPerPeer, acceptedTotal, maxTrackedPeers);
  }

  public RemoteAuditConfig withRefused(int perPeer, int total) {
    return new RemoteAuditConfig(
        queueCapacity, perPeer, total, acceptedPerPeer, acceptedTotal, maxTrackedPeers);
  }

  public RemoteAuditConfig withAccepted(int perPeer, int total) {
    return new RemoteAuditConfig(
        queueCapacity, refusedPerPeer, refusedTotal, perPeer, total, maxTrackedPeers);
  }

  public RemoteAuditConfig withMaxTrackedPeers(int value) {
    return new RemoteAuditConfig(
        queueCapacity, refusedPerPeer, refusedTotal, acceptedPerPeer, acceptedTotal, value);
  }

  /**
   * @return this
   * @throws IllegalArgumentException naming the first bad field
   */
  public RemoteAuditConfig validate() {
    positive("queueCapacity", queueCapacity);
    positive("refusedPerPeer", refusedPerPeer);
    positive("acceptedPerPeer", acceptedPerPeer);
    positive("maxTrackedPeers", maxTrackedPeers);
    if (refusedTotal < refusedPerPeer) {
      throw new IllegalArgumentException(
          "invalid RemoteAuditConfig: refusedTotal must be at least refusedPerPeer, was "
              + refusedTotal);
    }
    if (acceptedTotal < acceptedPerPeer) {
      throw new IllegalArgumentException(
          "invalid RemoteAuditConfig: acceptedTotal must be at least acceptedPerPeer, was "
              + acceptedTotal);
    }
    return this;
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "invalid RemoteAuditConfig: " + name + " must be at least 1, was " + value);
    }
  }
}
