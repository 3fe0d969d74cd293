package org.chorus.dht.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;

/** Builds the content cache from {@link StorageConfig}; the ticker and scheduler are injected. */
public final class ContentCaches {

  private ContentCaches() {}

  static Cache<String, CachedContent> build(
      StorageConfig config, Ticker ticker, Scheduler scheduler) {
    return Caffeine.newBuilder()
        .expireAfterWrite(config.cacheTtl())
        .maximumWeight(config.cacheMaxBytes())
        .<String, CachedContent>weigher((key, value) -> value.weight() + key.length() * 2)
        .ticker(ticker)
        .scheduler(scheduler)
        .recordStats()
        .build();
  }
}
