/**
 * Replication: keeps each stored key at its replication factor and alive past the 48 h kad expiry.
 * {@link org.chorus.dht.replication.ReplicationManager} (plain Java, injected clock) over a {@link
 * org.chorus.dht.replication.ReplicaNetwork} (Kademlia or single-node) and a durable {@link
 * org.chorus.dht.replication.ReplicationStateStore}; Spring only in {@code
 * ReplicationConfiguration} (wiring, the {@code @Scheduled} adapters, meters) and the
 * package-private REST controller.
 */
package org.chorus.dht.replication;
