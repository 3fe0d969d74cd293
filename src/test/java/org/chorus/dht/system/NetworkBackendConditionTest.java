package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class NetworkBackendConditionTest {

  @Test
  void localByDefault() {
    assertThat(NetworkBackendCondition.network(new MockEnvironment())).isFalse();
    assertThat(
            NetworkBackendCondition.network(
                new MockEnvironment().withProperty("chorus.dht.bootstrap-peers", "")))
        .isFalse();
  }

  @Test
  void networkWithBootstrapPeers() {
    assertThat(
            NetworkBackendCondition.network(
                new MockEnvironment()
                    .withProperty("chorus.dht.bootstrap-peers[0]", "/ip4/10.0.0.1/tcp/4001")))
        .isTrue();
  }

  @Test
  void explicitBackendWins() {
    assertThat(
            NetworkBackendCondition.network(
                new MockEnvironment().withProperty("chorus.dht.backend", "network")))
        .isTrue();
    assertThat(
            NetworkBackendCondition.network(
                new MockEnvironment()
                    .withProperty("chorus.dht.backend", "local")
                    .withProperty("chorus.dht.bootstrap-peers", "/ip4/10.0.0.1/tcp/4001")))
        .isFalse();
  }

  @Test
  void autoWithPeersIsHybridAndExplicitModesWin() {
    MockEnvironment peers =
        new MockEnvironment()
            .withProperty("chorus.dht.bootstrap-peers[0]", "/ip4/10.0.0.1/tcp/4001");
    assertThat(NetworkBackendCondition.mode(peers)).isEqualTo(NetworkBackendCondition.Mode.HYBRID);
    assertThat(NetworkBackendCondition.mode(new MockEnvironment()))
        .isEqualTo(NetworkBackendCondition.Mode.LOCAL);
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment()
                    .withProperty("chorus.dht.backend", "network")
                    .withProperty("chorus.dht.bootstrap-peers", "/ip4/10.0.0.1/tcp/4001")))
        .isEqualTo(NetworkBackendCondition.Mode.NETWORK);
    assertThat(
            NetworkBackendCondition.mode(
                new MockEnvironment().withProperty("chorus.dht.backend", "Hybrid")))
        .isEqualTo(NetworkBackendCondition.Mode.HYBRID);
  }
}
