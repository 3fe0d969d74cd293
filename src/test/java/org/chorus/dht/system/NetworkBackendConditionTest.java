package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.chorus.dht.system.NetworkBackendCondition.Mode;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class NetworkBackendConditionTest {

  @Test
  void theDefaultIsHybridWithOrWithoutBootstrapPeers() {
    assertThat(NetworkBackendCondition.mode(new MockEnvironment())).isEqualTo(Mode.HYBRID);
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment().withProperty("chorus.dht.bootstrap-peers", "")))
        .isEqualTo(Mode.HYBRID);
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment()
                    .withProperty("chorus.dht.bootstrap-peers[0]", "/ip4/10.0.0.1/tcp/4001")))
        .isEqualTo(Mode.HYBRID);
    assertThat(NetworkBackendCondition.network(new MockEnvironment())).isTrue();
  }

  @Test
  void explicitBackendsWin() {
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment()
                    .withProperty("chorus.dht.backend", "network")
                    .withProperty("chorus.dht.bootstrap-peers", "/ip4/10.0.0.1/tcp/4001")))
        .isEqualTo(Mode.NETWORK);
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment().withProperty("chorus.dht.backend", " Hybrid ")))
        .isEqualTo(Mode.HYBRID);
    MockEnvironment local =
        new MockEnvironment()
            .withProperty("chorus.dht.backend", "local")
            .withProperty("chorus.dht.bootstrap-peers", "/ip4/10.0.0.1/tcp/4001");
    assertThat(NetworkBackendCondition.mode(local)).isEqualTo(Mode.LOCAL);
    assertThat(NetworkBackendCondition.network(local)).isFalse();
  }

  @Test
  void anUnknownBackendFailsNamingTheProperty() {
    assertThatThrownBy(
            () ->
                NetworkBackendCondition.mode(
                    new MockEnvironment().withProperty("chorus.dht.backend", "networks")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("chorus.dht.backend")
        .hasMessageContaining("networks");
  }
}
