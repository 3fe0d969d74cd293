package org.chorus.dht.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KadConfigTest {

  @Test
  void defaultsMatchTheSpecAndDesign() {
    KadConfig c = KadConfig.defaults();
    assertThat(c.k()).isEqualTo(20);
    assertThat(c.alpha()).isEqualTo(10);
    assertThat(c.beta()).isEqualTo(3);
    assertThat(c.rpcTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxMessageSize()).isEqualTo(4 * 1024 * 1024);
    assertThat(c.recordTtl()).isEqualTo(Duration.ofHours(48));
    assertThat(c.providerTtl()).isEqualTo(Duration.ofHours(48));
    assertThat(c.providerAddrTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(c.reprovideInterval()).isEqualTo(Duration.ofHours(22));
    assertThat(c.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.diversity()).isEqualTo(new KadConfig.Diversity(true, 2, 3, true));
    assertThat(c.mode()).isEqualTo(KadConfig.Mode.AUTO);
    assertThat(c.protocolId()).isEqualTo("/CHORUS/kad/1.0.0");
    assertThat(c.limits())
        .isEqualTo(new KadConfig.Limits(4, 128, 64L << 20, 1000, 2000, 4096, 25_000, 1L << 30))
        .isEqualTo(KadConfig.Limits.defaults());
  }

  @Test
  void builderOverridesAndRoundTrips() {
    KadConfig c = KadConfig.builder().protocolPrefix("/ipfs").k(8).beta(2).build();
    assertThat(c.protocolId()).isEqualTo("/ipfs/kad/1.0.0");
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void validateNamesTheBadKnob() {
    assertThatThrownBy(() -> KadConfig.builder().k(0).build()).hasMessageContaining("k = 0");
    assertThatThrownBy(() -> KadConfig.builder().beta(21).build()).hasMessageContaining("beta");
    assertThatThrownBy(() -> KadConfig.builder().rpcTimeout(Duration.ZERO).build())
        .hasMessageContaining("rpcTimeout");
    assertThatThrownBy(() -> KadConfig.builder().queryTimeout(Duration.ofSeconds(1)).build())
        .hasMessageContaining("queryTimeout");
    assertThatThrownBy(() -> KadConfig.builder().reprovideInterval(Duration.ofHours(49)).build())
        .hasMessageContaining("reprovideInterval");
    assertThatThrownBy(() -> KadConfig.builder().protocolPrefix("CHORUS/").build())
        .hasMessageContaining("protocolPrefix");
    assertThatThrownBy(
            () -> KadConfig.builder().diversity(new KadConfig.Diversity(true, 0, 3, true)).build())
        .hasMessageContaining("diversity");
  }

  @Test
  void validateNamesTheBadLimit() {
    KadConfig.Limits d = KadConfig.Limits.defaults();
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withWorkers(0, 128, 64 << 20)).build())
        .hasMessageContaining("limits.workerThreads");
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withWorkers(4, 0, 64 << 20)).build())
        .hasMessageContaining("limits.workQueue");
    assertThatThrownBy(
            () -> KadConfig.builder().limits(d.withWorkers(4, 128, 4 * 1024 * 1024 - 1)).build())
        .hasMessageContaining("limits.workQueueBytes");
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withRequestRate(0, 100)).build())
        .hasMessageContaining("limits.requestsPerSecond");
    assertThatThrownBy(
            () ->
                KadConfig.builder()
                    .limits(d.withRequestRate(Double.POSITIVE_INFINITY, 100))
                    .build())
        .hasMessageContaining("limits.requestsPerSecond");
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withRequestRate(50, 0)).build())
        .hasMessageContaining("limits.requestBurst");
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withQuota(0, 1)).build())
        .hasMessageContaining("limits.maxRecordsPerPeer");
    assertThatThrownBy(() -> KadConfig.builder().limits(d.withQuota(1, 0)).build())
        .hasMessageContaining("limits.maxBytesPerPeer");
    assertThat(KadConfig.builder().limits(d.withQuota(5, 1000)).build().limits().quota())
        .isEqualTo(new org.chorus.dht.kad.records.RecordStore.Quota(5, 1000));
  }
}
