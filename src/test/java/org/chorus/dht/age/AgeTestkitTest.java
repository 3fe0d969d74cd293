package org.chorus.dht.age;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.chorus.dht.testing.CctvVectors;
import org.chorus.dht.testing.CctvVectors.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every C2SP CCTV age vector that uses X25519 or scrypt, each as a named case: decryption must end
 * in exactly the expected stage, and the plaintext handed out (all of it on success, the part
 * before the error on a payload failure) must hash to the vector's {@code payload}.
 */
class AgeTestkitTest {

  private static final Set<String> KNOWN_KEYS =
      Set.of(
          "expect",
          "payload",
          "identity",
          "passphrase",
          "armored",
          "compressed",
          "file key",
          "comment");
  private static final AtomicInteger passed = new AtomicInteger();

  static Stream<Vector> vectors() {
    return CctvVectors.all().stream().filter(v -> !isHybrid(v));
  }

  static boolean isHybrid(Vector v) {
    return v.all("identity").stream().anyMatch(id -> id.startsWith("AGE-SECRET-KEY-PQ-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vector(Vector v) throws Exception {
    assertThat(v.fields().keySet()).isSubsetOf(KNOWN_KEYS);
    List<Identity> identities = new ArrayList<>();
    for (String id : v.all("identity")) {
      identities.add(X25519Identity.parse(id));
    }
    for (String passphrase : v.all("passphrase")) {
      identities.add(new ScryptIdentity(passphrase));
    }
    if (identities.isEmpty()) {
      identities.add(X25519Identity.generate()); // "empty" and "armor_empty" name none
    }

    MessageDigest released = MessageDigest.getInstance("SHA-256");
    String outcome = decrypt(v, identities, released);

    assertThat(outcome).as("outcome of %s", v.name()).isEqualTo(v.expect());
    if (v.first("payload") != null) {
      assertThat(HexFormat.of().formatHex(released.digest()))
          .as("SHA-256 of the plaintext released by %s", v.name())
          .isEqualTo(v.first("payload"));
    }
    passed.incrementAndGet();
  }

  @Test
  void theTestkitIsThere() {
    List<Vector> all = CctvVectors.all();
    assertThat(all).hasSize(143);
    assertThat(vectors()).hasSize(124);
  }

  @AfterAll
  static void report() {
    long hybrid = CctvVectors.all().stream().filter(AgeTestkitTest::isHybrid).count();
    System.out.printf(
        "age testkit: %d X25519/scrypt vectors passed, %d hybrid (ML-KEM) vectors skipped%n",
        passed.get(), hybrid);
  }

  private static String decrypt(Vector v, List<Identity> identities, MessageDigest released) {
    InputStream src = new ByteArrayInputStream(v.file());
    try {
      if ("yes".equals(v.first("armored"))) {
        src = Armor.dearmor(src);
      }
      try (InputStream in = Age.decrypt(src, identities)) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
          released.update(buf, 0, n);
        }
      }
      return "success";
    } catch (NoIdentityMatchException e) {
      return "no match";
    } catch (HeaderMacException e) {
      return "HMAC failure";
    } catch (HeaderException e) {
      return "header failure";
    } catch (PayloadException e) {
      return "payload failure";
    } catch (ArmorException e) {
      return "armor failure";
    } catch (IOException e) {
      return "unexpected " + e;
    }
  }
}
