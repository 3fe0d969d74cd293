package org.chorus.dht.age;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Steady-state age throughput in one JVM (no start-up, warmed JIT): bulk payloads (MB/s = size /
 * time) and the per-item cost of small items encrypted to several role recipients, as the storage
 * service does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AgeBenchmark {

  @Param({"1024", "67108864"})
  public int size;

  @Param({"1", "7"})
  public int recipients;

  private byte[] plaintext;
  private byte[] file;
  private List<X25519Recipient> to;
  private X25519Identity reader;
  private Identity preferred;
  private final byte[] sink = new byte[1 << 20];

  @Setup(Level.Trial)
  public void setUp() {
    plaintext = new byte[size];
    new Random(1).nextBytes(plaintext);
    List<X25519Identity> ids =
        java.util.stream.Stream.generate(X25519Identity::generate).limit(recipients).toList();
    to = ids.stream().map(X25519Identity::recipient).toList();
    reader = ids.get(ids.size() - 1);
    int own = ids.size() - 1;
    preferred =
        stanzas -> {
          byte[] key = reader.unwrap(List.of(stanzas.get(own)));
          return key != null ? key : reader.unwrap(stanzas);
        };
    file = Age.encrypt(plaintext, to);
  }

  @Benchmark
  public long encrypt() throws IOException {
    CountingSink out = new CountingSink();
    try (OutputStream enc = Age.encrypt(out, to)) {
      enc.write(plaintext);
    }
    return out.count;
  }

  /** The reader tries every stanza until its own, the last: what Go's library does too. */
  @Benchmark
  public long decrypt() throws IOException {
    return decryptWith(reader);
  }

  /**
   * The storage service's read: the envelope names the reader's stanza, so it is tried first
   * ({@code storage.PreferredStanza}; the same wrapper, inlined here to keep JMH off the storage
   * package).
   */
  @Benchmark
  public long decryptOwnStanza() throws IOException {
    return decryptWith(preferred);
  }

  private long decryptWith(Identity identity) throws IOException {
    long total = 0;
    try (InputStream in = Age.decrypt(new ByteArrayInputStream(file), identity)) {
      int n;
      while ((n = in.read(sink)) > 0) {
        total += n;
      }
    }
    return total;
  }

  /** Discards output, like writing to /dev/null. */
  static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
