package org.chorus.dht.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LengthPrefixedTest {
  /** A stream stub that records resets. */
  static final class Fake implements Stream {
    boolean reset;

    @Override
    public ProtocolId protocol() {
      return ProtocolId.of("/t");
    }

    @Override
    public Connection connection() {
      return null;
    }

    @Override
    public void setListener(StreamListener listener) {}

    @Override
    public CompletableFuture<Void> write(byte[] data) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reset() {
      reset = true;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return new CompletableFuture<>();
    }
  }

  @Test
  void splitsMessagesFedByteByByteAndAtTheCap() {
    List<byte[]> got = new ArrayList<>();
    List<Boolean> ends = new ArrayList<>();
    Fake s = new Fake();
    StreamListener l =
        LengthPrefixed.listener(
            300,
            new LengthPrefixed.Handler() {
              @Override
              public void onMessage(Stream stream, byte[] message) {
                got.add(message);
              }

              @Override
              public void onEnd(Stream stream, boolean clean) {
                ends.add(clean);
              }
            });
    byte[] wire = {3, 'a', 'b', 'c', 0, (byte) 0xAC, 0x02}; // "abc", "", then 300 bytes follow
    for (byte b : wire) {
      l.onData(s, new byte[] {b});
    }
    l.onData(s, new byte[300]);
    l.onRemoteClose(s);
    assertThat(got).hasSize(3);
    assertThat(new String(got.get(0))).isEqualTo("abc");
    assertThat(got.get(1)).isEmpty();
    assertThat(got.get(2)).hasSize(300);
    assertThat(ends).containsExactly(true);
    assertThat(s.reset).isFalse();
  }

  @Test
  void capPlusOneResetsTheStream() {
    List<Throwable> errors = new ArrayList<>();
    Fake s = new Fake();
    StreamListener l =
        LengthPrefixed.listener(
            300,
            new LengthPrefixed.Handler() {
              @Override
              public void onMessage(Stream stream, byte[] message) {}

              @Override
              public void onError(Stream stream, Throwable cause) {
                errors.add(cause);
              }
            });
    l.onData(s, Varint.encode(301));
    assertThat(s.reset).isTrue();
    assertThat(errors).singleElement().asString().contains("exceeds 300");
  }
}
