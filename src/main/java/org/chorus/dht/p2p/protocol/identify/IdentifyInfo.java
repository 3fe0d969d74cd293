package org.chorus.dht.p2p.protocol.identify;

import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;

/**
 * What a peer told us about itself over identify. {@code observedAddr} is how the peer sees us.
 * Addresses the peer sent that we cannot parse (other transports) are left out.
 */
public record IdentifyInfo(
    byte[] publicKey,
    String protocolVersion,
    String agentVersion,
    List<Multiaddr> listenAddrs,
    Optional<Multiaddr> observedAddr,
    List<String> protocols) {}
