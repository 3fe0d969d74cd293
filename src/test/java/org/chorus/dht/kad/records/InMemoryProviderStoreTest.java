package org.chorus.dht.kad.records;

import java.util.function.Predicate;
import org.chorus.dht.p2p.core.PeerId;

class InMemoryProviderStoreTest extends ProviderStoreContractTest {
  @Override
  ProviderStore create(int maxKeys, int maxPerKey, Predicate<PeerId> verified) {
    return new InMemoryProviderStore(
        clock,
        ProviderStore.DEFAULT_VALIDITY,
        ProviderStore.DEFAULT_ADDRS_VALIDITY,
        maxKeys,
        maxPerKey,
        verified);
  }
}
