package org.chorus.dht.replication;

/**
 * A snapshot of the replication manager ({@code GET /api/v1/replication/metrics}; the same values
 * back the {@code chorus_replication_*} meters).
 *
 * @param keys tracked keys
 * @param underReplicated keys below target at their last count
 * @param critical keys at one copy or none at their last count
 * @param inFlight keys being handled now
 * @param repairs copies added by repairs since start
 * @param repairFailures repair runs that ended below target since start
 * @param reprovides republish + reprovide runs since start
 * @param lost runs that found no copy anywhere since start
 * @param reprovideLagSeconds how far behind schedule the oldest due key is (0 when on time)
 */
public record ReplicationMetrics(
    String backend,
    int factor,
    long keys,
    long underReplicated,
    long critical,
    int inFlight,
    long repairs,
    long repairFailures,
    long reprovides,
    long lost,
    long reprovideLagSeconds) {}
