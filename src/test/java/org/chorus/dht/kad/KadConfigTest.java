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
}
