package org.chorus.dht.p2p.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer targets, one per decoder. By default (regression mode) they run their seed inputs from
 * {@code src/test/resources/org/chorus/dht/p2p/fuzz/DecoderFuzzTestInputs/<method>} in seconds;
 * {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class DecoderFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void multistream(byte[] data) {
    Decoders.multistream(data);
  }

  @FuzzTest(maxDuration = "60s")
  void noisePayload(byte[] data) {
    Decoders.noisePayload(data);
  }

  @FuzzTest(maxDuration = "60s")
  void noiseTransport(byte[] data) {
    Decoders.noiseTransport(data);
  }

  @FuzzTest(maxDuration = "60s")
  void noiseHandshake(byte[] data) {
    Decoders.noiseHandshake(data);
  }

  @FuzzTest(maxDuration = "60s")
  void yamuxCodec(byte[] data) {
    Decoders.yamuxCodec(data);
  }

  @FuzzTest(maxDuration = "60s")
  void yamuxSession(byte[] data) {
    Decoders.yamuxSession(data);
  }

  @FuzzTest(maxDuration = "60s")
  void identify(byte[] data) {
    Decoders.identify(data);
  }

  @FuzzTest(maxDuration = "60s")
  void multiaddr(byte[] data) {
    Decoders.multiaddr(data);
  }

  @FuzzTest(maxDuration = "60s")
  void peerId(byte[] data) {
    Decoders.peerId(data);
  }
}
