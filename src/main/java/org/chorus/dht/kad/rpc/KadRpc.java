package org.chorus.dht.kad.rpc;

import java.time.Duration;
import org.chorus.dht.p2p.core.ProtocolId;

/** Wire constants of the kad RPC (libp2p/specs kad-dht, DESIGN.md "Kademlia"). */
public final class KadRpc {
  /** Our protocol prefix: {@code /CHORUS/kad/1.0.0}. */
  public static final String DEFAULT_PREFIX = "/CHORUS";

  /** The public IPFS DHT's prefix. */
  public static final String IPFS_PREFIX = "/ipfs";

  /** Per RPC (outbound) and per inbound message, as js and go. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** k: closer peers returned per answer. */
  public static final int DEFAULT_CLOSER_PEERS = 20;

  private KadRpc() {}

  /** {@code prefix + "/kad/1.0.0"}. */
  public static ProtocolId protocol(String prefix) {
    return ProtocolId.of(prefix + "/kad/1.0.0");
  }
}
