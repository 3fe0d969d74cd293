package org.chorus.dht.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Any single flipped bit anywhere in an age file is rejected with an {@link AgeException}: the
 * reader never sees the whole plaintext as if the file were intact.
 */
class AgeTamperTest {

  private static final X25519Identity ID = X25519Identity.generate();

  @Test
  void everyHeaderBitFlipIsRejected() throws Exception {
    byte[] plaintext = "a short secret".getBytes(StandardCharsets.UTF_8);
    byte[] file = Age.encrypt(plaintext, ID.recipient(), X25519Identity.generate().recipient());
    int headerEnd = headerLength(file);
    int rejected = 0;
    for (int bit = 0; bit < headerEnd * 8; bit++) {
      assertRejected(flip(file, bit), plaintext, "header bit " + bit);
      rejected++;
    }
    assertThat(rejected).isEqualTo(headerEnd * 8);
  }

  @Test
  void sampledPayloadBitFlipsAreRejected() throws Exception {
    byte[] plaintext = new byte[3 * 64 * 1024 + 100];
    new Random(7).nextBytes(plaintext);
    byte[] file = Age.encrypt(plaintext, ID.recipient());
    int headerEnd = headerLength(file);
    Random random = new Random(11);
    for (int i = 0; i < 600; i++) {
      int bit = headerEnd * 8 + random.nextInt((file.length - headerEnd) * 8);
      assertRejected(flip(file, bit), plaintext, "payload bit " + bit);
    }
  }

  @Test
  void truncationAndExtensionAreRejected() throws Exception {
    byte[] plaintext = new byte[2 * 64 * 1024];
    new Random(3).nextBytes(plaintext);
    byte[] file = Age.encrypt(plaintext, ID.recipient());
    Random random = new Random(5);
    for (int i = 0; i < 100; i++) {
      int cut = random.nextInt(file.length);
      assertRejected(java.util.Arrays.copyOf(file, cut), plaintext, "truncated to " + cut);
    }
    byte[] longer = java.util.Arrays.copyOf(file, file.length + 1);
    assertRejected(longer, plaintext, "one trailing byte");
  }

  private static void assertRejected(byte[] file, byte[] plaintext, String what)
      throws IOException {
    ByteArrayOutputStream released = new ByteArrayOutputStream();
    try (InputStream in = Age.decrypt(new ByteArrayInputStream(file), ID)) {
      in.transferTo(released);
      fail("%s: decrypted without error", what);
    } catch (AgeException expected) {
      byte[] got = released.toByteArray();
      assertThat(got.length).as(what).isLessThanOrEqualTo(plaintext.length);
      // Whatever was released before the error is a true prefix of the plaintext.
      assertThat(java.util.Arrays.equals(got, 0, got.length, plaintext, 0, got.length))
          .as(what)
          .isTrue();
    }
  }

  private static byte[] flip(byte[] file, int bit) {
    byte[] copy = file.clone();
    copy[bit / 8] ^= (byte) (1 << (bit % 8));
    return copy;
  }

  /** Header plus payload nonce: up to the MAC line's newline, then 16 bytes. */
  private static int headerLength(byte[] file) {
    String text = new String(file, StandardCharsets.ISO_8859_1);
    return text.indexOf('\n', text.indexOf("\n---")) + 1 + 16;
  }
}
