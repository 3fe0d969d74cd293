package org.chorus.dht.peers;

import java.time.Clock;
import java.util.Set;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.system.ChorusProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The peer deny-list ({@link DeniedPeers}) over the network backend, when there is one; on a node
 * without it the list is empty and denials are refused (409).
 */
@Configuration(proxyBeanMethods = false)
class PeerAdminConfiguration {

  @Bean
  DeniedPeers deniedPeers(
      ChorusProperties properties, ObjectProvider<NetworkDht> network, Clock clock) {
    NetworkDht net = network.getIfAvailable();
    Set<PeerId> configured = net == null ? Set.of() : net.host().config().deniedPeers();
    return new DeniedPeers(properties.dataDir(), net, configured, clock);
  }
}
