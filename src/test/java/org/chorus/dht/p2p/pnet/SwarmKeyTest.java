package org.chorus.dht.p2p.pnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The swarm key file format: what is accepted, and what each refusal says. */
class SwarmKeyTest {
  static final String HEX = "dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d";

  @TempDir Path dir;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "LF, trailing newline (Kubo)|/key/swarm/psk/1.0.0/\\n/base16/\\n" + HEX + "\\n",
        "LF, no trailing newline (js-libp2p generateKey)|/key/swarm/psk/1.0.0/\\n/base16/\\n" + HEX,
        "CRLF|/key/swarm/psk/1.0.0/\\r\\n/base16/\\r\\n" + HEX + "\\r\\n",
        "CRLF, no trailing newline|/key/swarm/psk/1.0.0/\\r\\n/base16/\\r\\n" + HEX,
      })
  void acceptsTheFormatKuboAndJsWrite(String name, String escaped) {
    String text = escaped.replace("\\r", "\r").replace("\\n", "\n");
    SwarmKey key = SwarmKey.parse(utf8(text));
    assertThat(key).isEqualTo(SwarmKey.of(HexFormat.of().parseHex(HEX)));
  }

  @Test
  void upperCaseHexIsTheSameKey() {
    String text = "/key/swarm/psk/1.0.0/\n/base16/\n" + HEX.toUpperCase() + "\n";
    assertThat(SwarmKey.parse(utf8(text))).isEqualTo(SwarmKey.of(HexFormat.of().parseHex(HEX)));
  }

  @Test
  void encodeWritesThreeLinesAndParsesBack() {
    SwarmKey key = SwarmKey.generate();
    String text = new String(key.encode(), StandardCharsets.US_ASCII);
    assertThat(text.lines().toList())
        .hasSize(3)
        .startsWith("/key/swarm/psk/1.0.0/", "/base16/")
        .last()
        .asString()
        .matches("[0-9a-f]{64}");
    assertThat(text).endsWith("\n").hasSize(96);
    assertThat(SwarmKey.parse(key.encode())).isEqualTo(key);
    assertThat(SwarmKey.generate()).isNotEqualTo(key);
  }

  @Test
  void toStringAndFingerprintDoNotShowTheKey() {
    SwarmKey key = SwarmKey.of(HexFormat.of().parseHex(HEX));
    assertThat(key.fingerprint()).matches("[0-9a-f]{16}");
    assertThat(key.toString()).isEqualTo("SwarmKey[" + key.fingerprint() + "]");
    assertThat(key.toString()).doesNotContain(HEX.substring(0, 8));
    // the documented shell recipe: sha256 of the 32 key bytes, first 16 hex digits
    assertThat(key.fingerprint())
        .isEqualTo(HexFormat.of().formatHex(sha256(HexFormat.of().parseHex(HEX))).substring(0, 16));
  }

  static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "empty||the file is empty",
        "not a key file|hello\\n|line 1 is something else (5 characters), expected"
            + " /key/swarm/psk/1.0.0/",
        "codec without its last slash|/key/swarm/psk/1.0.0\\n/base16/\\n"
            + HEX
            + "|line 1 is '/key/swarm/psk/1.0.0', expected /key/swarm/psk/1.0.0/",
        "base64|/key/swarm/psk/1.0.0/\\n/base64/\\n3/t+MTU5mosWErKqyhw2o6isLNDMpRzuss7YfTCMrG0="
            + "|line 2 is /base64/: only /base16/ keys are supported",
        "bin|/key/swarm/psk/1.0.0/\\n/bin/\\nxxxx|line 2 is /bin/: only /base16/",
        "no encoding line|/key/swarm/psk/1.0.0/\\n|line 2 is missing",
        "key on line 2|/key/swarm/psk/1.0.0/\\n"
            + HEX
            + "|line 2 is something else (64 characters)",
        "no key|/key/swarm/psk/1.0.0/\\n/base16/\\n|line 3 is missing",
        "short key|/key/swarm/psk/1.0.0/\\n/base16/\\nabcd|line 3 must be 64 hex digits (32"
            + " bytes), found 4 characters",
        "not hex|/key/swarm/psk/1.0.0/\\n/base16/\\n"
            + "zz"
            + "fb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d"
            + "|found another character at column 1",
        "trailing space|'/key/swarm/psk/1.0.0/\\n/base16/\\n" + HEX + " '|found 65 characters",
        "a fourth line|/key/swarm/psk/1.0.0/\\n/base16/\\n"
            + HEX
            + "\\n\\n|unexpected content"
            + " after line 3",
        "two keys|/key/swarm/psk/1.0.0/\\n/base16/\\n"
            + HEX
            + "\\n"
            + HEX
            + "|unexpected content after line 3",
      })
  void refusesEverythingElseSayingWhatIsWrong(String name, String escaped, String message) {
    String text = escaped == null ? "" : escaped.replace("\\r", "\r").replace("\\n", "\n");
    assertThatThrownBy(() -> SwarmKey.parse(utf8(text)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("fb7e3135399a8b16"));
  }

  @Test
  void refusesAByteOrderMarkAndLargeFiles() {
    byte[] bom = utf8("\uFEFF/key/swarm/psk/1.0.0/\n/base16/\n" + HEX + "\n");
    assertThatThrownBy(() -> SwarmKey.parse(bom)).hasMessageContaining("byte order mark");
    assertThatThrownBy(() -> SwarmKey.parse(new byte[2000])).hasMessageContaining("larger than");
  }

  @Test
  void readNamesTheFileAndWhatIsWrong() throws Exception {
    Path missing = dir.resolve("swarm.key");
    assertThatThrownBy(() -> SwarmKey.read(missing))
        .isInstanceOf(SwarmKey.FileException.class)
        .hasMessage("failed to read swarm key file " + missing + ": no such file")
        .satisfies(
            e -> assertThat(((SwarmKey.FileException) e).reason()).isEqualTo("no such file"));
    assertThatThrownBy(() -> SwarmKey.read(dir)).hasMessageContaining("it is a directory");

    Path bad = Files.writeString(dir.resolve("bad.key"), "/key/swarm/psk/1.0.0/\n/base16/\nab\n");
    assertThatThrownBy(() -> SwarmKey.read(bad))
        .hasMessageStartingWith("failed to read swarm key file " + bad + ": line 3 must be 64");

    SwarmKey key = SwarmKey.generate();
    Path good = Files.write(dir.resolve("good.key"), key.encode());
    assertThat(SwarmKey.read(good)).isEqualTo(key);
  }

  @Test
  void ofChecksTheLength() {
    assertThatThrownBy(() -> SwarmKey.of(new byte[31])).hasMessageContaining("32 bytes, not 31");
  }
}
