package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.chorus.dht.kad.KadConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code chorus.dht.limits.kad.*} onto {@link KadConfig.Limits}. */
class KadLimitsPropertiesTest {

  static KadConfig.Limits bind(Map<String, String> props) {
    ChorusProperties p =
        new Binder(new MapConfigurationPropertySource(props))
            .bindOrCreate("chorus", Bindable.of(ChorusProperties.class));
    return NetworkBackendConfiguration.kadLimits(p.dht().limits().kad());
  }

  @Test
  void unsetPropertiesKeepTheDefaults() {
    assertThat(bind(Map.of())).isEqualTo(KadConfig.Limits.defaults());
  }

  @Test
  void everyPropertyIsMapped() {
    KadConfig.Limits l =
        bind(
            Map.of(
                "chorus.dht.limits.kad.worker-threads", "2",
                "chorus.dht.limits.kad.work-queue", "16",
                "chorus.dht.limits.kad.work-queue-bytes", "8MB",
                "chorus.dht.limits.kad.requests-per-second", "12.5",
                "chorus.dht.limits.kad.request-burst", "30",
                "chorus.dht.limits.kad.max-rate-limited-peers", "100",
                "chorus.dht.limits.kad.max-records-per-peer", "500",
                "chorus.dht.limits.kad.max-bytes-per-peer", "32MB"));
    assertThat(l).isEqualTo(new KadConfig.Limits(2, 16, 8L << 20, 12.5, 30, 100, 500, 32L << 20));
  }

  @Test
  void aBadValueFailsValidationNamingTheKnob() {
    KadConfig.Limits l = bind(Map.of("chorus.dht.limits.kad.worker-threads", "0"));
    assertThatThrownBy(() -> KadConfig.builder().limits(l).build())
        .hasMessageContaining("limits.workerThreads");
  }
}
