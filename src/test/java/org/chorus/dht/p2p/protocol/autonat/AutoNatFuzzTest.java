package org.chorus.dht.p2p.protocol.autonat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.chorus.dht.p2p.core.ProtocolException;

/**
 * Jazzer target for the AutoNAT decoder: any input either decodes (and then re-encodes and decodes
 * to the same message) or raises a {@link ProtocolException}; nothing else may escape.
 */
class AutoNatFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void message(byte[] data) {
    AutoNatMessage m;
    try {
      m = AutoNatCodec.decode(data);
    } catch (ProtocolException expected) {
      return;
    }
    AutoNatMessage again = AutoNatCodec.decode(AutoNatCodec.encode(m));
    if (!again.equals(m)) {
      throw new AssertionError("re-encoding changed " + m + " into " + again);
    }
  }
}
