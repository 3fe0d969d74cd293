package org.chorus.dht.kad.records;

class InMemoryProviderStoreTest extends ProviderStoreContractTest {
  @Override
  ProviderStore create(int maxKeys, int maxPerKey) {
    return new InMemoryProviderStore(
        clock,
        ProviderStore.DEFAULT_VALIDITY,
        ProviderStore.DEFAULT_ADDRS_VALIDITY,
        maxKeys,
        maxPerKey);
  }
}
