package org.chorus.dht.system;

import java.io.IOException;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The node identity key (see {@link NodeIdentity}), on every backend. */
@Configuration(proxyBeanMethods = false)
class NodeIdentityConfiguration {

  @Bean
  IdentityKey nodeIdentity(ChorusProperties properties) throws IOException {
    return NodeIdentity.loadOrCreate(properties.dataDir());
  }
}
