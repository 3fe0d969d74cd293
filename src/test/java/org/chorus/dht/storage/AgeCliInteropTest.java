package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chorus.dht.envelope.ContentEnvelope;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.testing.ApiTestSupport;
import org.chorus.dht.testing.ExternalPrograms;
import org.chorus.dht.ucxl.UcxlAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ciphertext inside a stored record is a standard age file: the {@code age} CLI decrypts it
 * with the role identity files the node generated, for every role in {@code encryptedFor} and for
 * no other. Skipped, saying so, where the {@code age} CLI is not on PATH.
 */
class AgeCliInteropTest extends ApiTestSupport {

  @TempDir Path tmp;

  @Test
  void theRawRecordsCiphertextDecryptsWithTheAgeCli() throws Exception {
    ExternalPrograms.assumeOnPath(
        "storage.AgeCliInteropTest (the stored ciphertext through the age CLI)",
        "apt-get install age",
        "age");
    String address = newAddress("backend_developer", "interop/readme.md");
    String text = "decrypt me with age -d -i role-keys/<role>.key\n".repeat(100);
    storeText(address, "backend_developer", text);

    String key = UcxlAddress.parse(address).dhtKey();
    byte[] raw = get("/api/v1/dht/values/" + enc(key), "read_only_observer").body();
    ContentEnvelope envelope = new EnvelopeCodec(4 << 20).decode(raw);
    Path ciphertext = tmp.resolve("content.age");
    Files.write(ciphertext, envelope.ciphertext());

    for (String role : new String[] {"backend_developer", "qa_engineer", "senior_architect"}) {
      Process age = runAge(role, ciphertext);
      assertThat(new String(age.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .as(role)
          .isEqualTo(text);
      assertThat(age.waitFor()).isZero();
    }
    Process denied = runAge("read_only_observer", ciphertext);
    denied.getInputStream().readAllBytes();
    assertThat(denied.waitFor()).isNotZero();
  }

  private static Process runAge(String role, Path ciphertext) throws IOException {
    Path identity = DATA_DIR.resolve("role-keys").resolve(role + ".key");
    return new ProcessBuilder("age", "-d", "-i", identity.toString(), ciphertext.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
