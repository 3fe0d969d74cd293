package org.chorus.dht.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests with seeded generators: random sizes (chunk boundaries included), recipient sets,
 * write and read patterns and armor all round-trip, and any identity of the set decrypts.
 */
class AgeRoundTripTest {

  private static final int CHUNK = 64 * 1024;
  private static final int[] EDGE_SIZES = {
    0,
    1,
    15,
    16,
    17,
    // around the first, small buffers of the streams (4 KiB of plaintext, 4 KiB + 1 of payload)
    4096 - 17,
    4096 - 16,
    4096 - 15,
    4095,
    4096,
    4097,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    17 * CHUNK,
    17 * CHUNK + 5,
    40 * CHUNK + 3
  };

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (int size : EDGE_SIZES) {
      out.add(Arguments.of(size, (long) size));
    }
    Random seeds = new Random(20261124);
    for (int i = 0; i < 24; i++) {
      int size = seeds.nextInt(i % 4 == 0 ? 3 * 1024 * 1024 : 200_000);
      out.add(Arguments.of(size, seeds.nextLong()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "size {0}, seed {1}")
  @MethodSource("cases")
  void roundTrips(int size, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] plaintext = new byte[size];
    random.nextBytes(plaintext);
    List<X25519Identity> identities = new ArrayList<>();
    int recipients = 1 + random.nextInt(5);
    for (int i = 0; i < recipients; i++) {
      identities.add(X25519Identity.generate());
    }
    boolean armored = random.nextInt(3) == 0;

    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream target = armored ? Armor.armor(sink) : sink;
    try (OutputStream enc =
        Age.encrypt(target, identities.stream().map(X25519Identity::recipient).toList())) {
      writeInPieces(enc, plaintext, random);
    }
    byte[] file = sink.toByteArray();

    X25519Identity reader = identities.get(random.nextInt(recipients));
    InputStream src = new ByteArrayInputStream(file);
    try (InputStream dec = Age.decrypt(Armor.detect(src), X25519Identity.generate(), reader)) {
      assertThat(readInPieces(dec, random)).isEqualTo(plaintext);
    }
    assertThatThrownBy(
            () ->
                Age.decrypt(
                    Armor.detect(new ByteArrayInputStream(file)), X25519Identity.generate()))
        .isInstanceOf(NoIdentityMatchException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK, 3 * CHUNK + 7})
  void byteArrayConveniencesRoundTrip(int size) throws AgeException {
    byte[] plaintext = new byte[size];
    new Random(size).nextBytes(plaintext);
    X25519Identity id = X25519Identity.generate();
    byte[] file = Age.encrypt(plaintext, id.recipient());
    assertThat(file.length).isGreaterThan(size + 16);
    assertThat(Age.decrypt(file, id)).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 100, 2 * CHUNK})
  void passphraseRoundTrips(int size) throws AgeException {
    byte[] plaintext = new byte[size];
    new Random(size).nextBytes(plaintext);
    byte[] file = Age.encrypt(plaintext, new ScryptRecipient("correct horse", 10));
    assertThat(Age.decrypt(file, new ScryptIdentity("correct horse"))).isEqualTo(plaintext);
    assertThatThrownBy(() -> Age.decrypt(file, new ScryptIdentity("wrong horse")))
        .isInstanceOf(NoIdentityMatchException.class);
    assertThatThrownBy(() -> Age.decrypt(file, new ScryptIdentity("correct horse", 9)))
        .isInstanceOf(HeaderException.class)
        .hasMessageContaining("work factor 10 above the limit 9");
  }

  /** Many recipients wrap on several threads; the header keeps their stanzas in their order. */
  @ParameterizedTest
  @ValueSource(ints = {Age.PARALLEL_WRAP_MIN, 12})
  void manyRecipientsKeepTheirOrder(int n) throws Exception {
    List<X25519Identity> ids = new ArrayList<>();
    List<Recipient> recipients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      X25519Identity id = X25519Identity.generate();
      ids.add(id);
      int index = i;
      Recipient real = id.recipient();
      recipients.add(
          fileKey -> {
            List<Stanza> out = new ArrayList<>(real.wrap(fileKey));
            out.add(new Stanza("order", List.of(Integer.toString(index)), new byte[0]));
            return out;
          });
    }
    byte[] plaintext = new byte[1000];
    new Random(n).nextBytes(plaintext);
    byte[] file = Age.encrypt(plaintext, recipients.toArray(Recipient[]::new));
    List<Stanza> stanzas =
        org.chorus.dht.age.internal.Header.read(new ByteArrayInputStream(file)).stanzas();
    List<String> order =
        stanzas.stream().filter(s -> s.type().equals("order")).map(s -> s.args().get(0)).toList();
    assertThat(order)
        .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(Integer::toString).toList());
    for (X25519Identity id : ids) {
      assertThat(Age.decrypt(file, id)).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {8})
  void concurrentStreamsDoNotInterfere(int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      X25519Identity id = X25519Identity.generate();
      List<Callable<Boolean>> tasks =
          IntStream.range(0, 32)
              .<Callable<Boolean>>mapToObj(
                  i ->
                      () -> {
                        byte[] plaintext = new byte[i * 37_111];
                        new Random(i).nextBytes(plaintext);
                        byte[] file = Age.encrypt(plaintext, id.recipient());
                        // Twice: the same key and nonce again on a thread must still work.
                        return java.util.Arrays.equals(Age.decrypt(file, id), plaintext)
                            && java.util.Arrays.equals(Age.decrypt(file, id), plaintext);
                      })
              .toList();
      for (Future<Boolean> f : pool.invokeAll(tasks)) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void writeInPieces(OutputStream out, byte[] data, Random random) throws IOException {
    int mode = random.nextInt(3);
    if (mode == 0) {
      out.write(data);
      return;
    }
    int off = 0;
    while (off < data.length) {
      if (mode == 1 && random.nextInt(50) == 0) {
        out.write(data[off++]);
        continue;
      }
      int n = Math.min(data.length - off, 1 + random.nextInt(mode == 1 ? 5000 : 300_000));
      out.write(data, off, n);
      off += n;
    }
  }

  static byte[] readInPieces(InputStream in, Random random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 + random.nextInt(200_000)];
    while (true) {
      if (random.nextInt(100) == 0) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        out.write(b);
        continue;
      }
      int n = in.read(buf, 0, 1 + random.nextInt(buf.length));
      if (n < 0) {
        break;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
