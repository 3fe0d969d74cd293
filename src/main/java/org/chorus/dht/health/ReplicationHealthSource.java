package org.chorus.dht.health;

import java.time.Duration;

/**
 * The hook through which the replication engine's figures join the {@code dht} health indicator
 * ({@link DhtHealthIndicator}): any bean implementing it is read on every health check, so it must
 * answer from counters it already keeps (no I/O, no lookup).
 *
 * <p>Grading: a {@link Figures#reprovideLag()} above {@code chorus.health.dht.max-reprovide-lag}
 * makes the indicator DOWN (provider records we announced are expiring on the network); {@link
 * Figures#criticalKeys()} is reported but does not grade the node (a key short of replicas is the
 * repair job's work, not a reason to take this node out of service).
 */
public interface ReplicationHealthSource {

  /**
   * What the replication engine knows now.
   *
   * @param reprovideLag how far the oldest due reprovide is behind its schedule; zero when on time
   * @param criticalKeys keys with fewer live replicas than their replication factor requires
   * @param trackedKeys keys the engine tracks
   */
  record Figures(Duration reprovideLag, long criticalKeys, long trackedKeys) {
    public Figures {
      reprovideLag = reprovideLag == null ? Duration.ZERO : reprovideLag;
    }
  }

  /** Current figures; must not block. */
  Figures replicationFigures();
}
