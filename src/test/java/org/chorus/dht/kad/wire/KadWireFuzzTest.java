package org.chorus.dht.kad.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target for the kad decoder: any input either decodes (and then re-encodes and decodes to
 * the same message) or raises {@link KadWireException}; nothing else may escape. Regression mode
 * runs the seeds in {@code src/test/resources/org/chorus/dht/kad/wire/KadWireFuzzTestInputs}.
 */
class KadWireFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void message(byte[] data) {
    KadMessage m;
    try {
      m = KadCodec.decode(data);
    } catch (KadWireException expected) {
      return;
    }
    KadMessage again = KadCodec.decode(KadCodec.encode(m));
    if (!again.equals(m)) {
      throw new AssertionError("re-encoding changed " + m + " into " + again);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void record(byte[] data) {
    try {
      KadCodec.decodeRecord(data);
    } catch (KadWireException expected) {
      // fine
    }
  }
}
