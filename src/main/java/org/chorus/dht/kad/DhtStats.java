package org.chorus.dht.kad;

import java.time.Duration;

/**
 * A snapshot of a {@link Dht}.
 *
 * @param connectedPeers peers with an open connection
 * @param routingTableSize peers in the routing table
 * @param records values in the local record store
 * @param providerKeys keys with provider records in the local store
 * @param uptime since {@link Dht#start()}
 * @param bootstrapped whether the routing table has been non-empty after a bootstrap
 * @param mode the effective mode: {@code server}, {@code client}, {@code auto (server)} or {@code
 *     auto (client)} ({@link Dht#modeDescription()})
 */
public record DhtStats(
    int connectedPeers,
    int routingTableSize,
    int records,
    int providerKeys,
    Duration uptime,
    boolean bootstrapped,
    String mode) {}
