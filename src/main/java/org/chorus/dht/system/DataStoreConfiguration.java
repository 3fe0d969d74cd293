package org.chorus.dht.system;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.chorus.dht.store.DataStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The node's one durable store, {@code <dataDir>/chorus.mv.db}, on which every persistent store of
 * the node keeps its maps (see {@link DataStore}); the separate files of earlier versions are moved
 * into it when it opens. Closed after every store on it (Spring destroys dependents first).
 */
@Configuration(proxyBeanMethods = false)
class DataStoreConfiguration {

  @Bean(destroyMethod = "close")
  DataStore dataStore(ChorusProperties properties, MeterRegistry registry) {
    DataStore data = DataStore.openInDataDir(properties.dataDir());
    FunctionCounter.builder("chorus.store.flushes", data, DataStore::flushes)
        .description("group commits of the data store (MVStore commit, fsync, joined files forced)")
        .register(registry);
    FunctionCounter.builder("chorus.store.commits", data, DataStore::commits)
        .description("commits awaited; commits / flushes is the group size")
        .register(registry);
    FunctionCounter.builder("chorus.store.flush.seconds", data, d -> d.flushNanos() / 1e9)
        .description("time spent in group commits")
        .baseUnit("seconds")
        .register(registry);
    return data;
  }
}
