package org.chorus.dht.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DhtBackend} promises, run against each implementation by a subclass (habit 9 of
 * STYLE.md). {@code NetworkDht} and {@code HybridDht} can extend it with a one-node setup.
 */
public abstract class DhtBackendContract {

  protected static final String KEY = "/CHORUS/ucxl/TV3chjmRqDeXv9ibix1vQHoFLhxeTDAQVw3L34K37Jk=";

  protected DhtBackend backend;

  /** A fresh, empty backend for one test. */
  protected abstract DhtBackend newBackend() throws Exception;

  @BeforeEach
  void createBackend() throws Exception {
    backend = newBackend();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @Test
  void aMissingValueIsEmptyNotAnError() {
    assertThat(backend.getValue(KEY)).isEmpty();
  }

  @Test
  void aPutValueIsReadBack() {
    DhtBackend.PutResult result = backend.putValue(KEY, bytes("value"));
    assertThat(result.replicas()).isGreaterThanOrEqualTo(1);
    assertThat(backend.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("value")));
  }

  @Test
  void theLatestPutWins() {
    backend.putValue(KEY, bytes("one"));
    backend.putValue(KEY, bytes("two"));
    assertThat(backend.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("two")));
  }

  @Test
  void valuesAreCopiedInAndOut() {
    byte[] in = bytes("abc");
    backend.putValue(KEY, in);
    in[0] = 'X';
    byte[] out = backend.getValue(KEY).orElseThrow();
    out[1] = 'Y';
    assertThat(backend.getValue(KEY))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("abc")));
  }

  @Test
  void deleteSaysWhetherThereWasAValue() {
    backend.putValue(KEY, bytes("x"));
    assertThat(backend.deleteValue(KEY)).isTrue();
    assertThat(backend.deleteValue(KEY)).isFalse();
    assertThat(backend.getValue(KEY)).isEmpty();
  }

  @Test
  void aProvidingNodeFindsItself() {
    backend.provide(KEY);
    assertThat(backend.findProviders(KEY, 10))
        .extracting(DhtBackend.Provider::peerId)
        .contains(backend.stats().peerId());
    assertThat(backend.findProviders(KEY, 0)).isEmpty();
  }

  @Test
  void statsNameTheBackendAndCountKeys() {
    backend.putValue(KEY, bytes("x"));
    DhtBackend.BackendStats stats = backend.stats();
    assertThat(stats.backend()).isEqualTo(backend.name());
    assertThat(stats.peerId()).isNotBlank();
    assertThat(stats.totalKeys()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aClosedBackendFailsWithDhtBackendException() {
    backend.close();
    assertThatThrownBy(() -> backend.putValue(KEY, bytes("x")))
        .isInstanceOf(DhtBackendException.class);
    assertThatThrownBy(() -> backend.getValue(KEY)).isInstanceOf(DhtBackendException.class);
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
