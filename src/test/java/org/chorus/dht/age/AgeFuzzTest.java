package org.chorus.dht.age;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decoder fuzzing (Jazzer): whatever the bytes, decryption ends in plaintext or an {@link
 * AgeException}, never in another exception; key parsing ends in a key or an {@link
 * IllegalArgumentException}. Runs its seed corpus in regression mode (seconds); set {@code
 * JAZZER_FUZZ=1} to fuzz for real.
 */
class AgeFuzzTest {

  private static final X25519Identity ID =
      X25519Identity.parse(
          "AGE-SECRET-KEY-189NY4T2J0LNKYYFFH6KFS9C577D5F6FM7P0NRPQ8YSCJNL3UXH9SA2FM5H");
  private static final ScryptIdentity PASSPHRASE = new ScryptIdentity("fuzz", 4);

  @FuzzTest(maxDuration = "30s")
  void decryptNeverCrashes(byte[] input) throws IOException {
    try (InputStream in =
        Age.decrypt(Armor.detect(new ByteArrayInputStream(input)), ID, PASSPHRASE)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (AgeException expected) {
      // every malformed input must end here
    }
  }

  @FuzzTest(maxDuration = "30s")
  void dearmorNeverCrashes(byte[] input) throws IOException {
    try (InputStream in = Armor.dearmor(new ByteArrayInputStream(input))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (ArmorException expected) {
      // malformed armor
    }
  }

  @FuzzTest(maxDuration = "30s")
  void keyParsingNeverCrashes(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    try {
      X25519Recipient.parse(text);
    } catch (IllegalArgumentException expected) {
      // not a recipient
    }
    try {
      X25519Identity.parse(text);
    } catch (IllegalArgumentException expected) {
      // not an identity
    }
  }
}
