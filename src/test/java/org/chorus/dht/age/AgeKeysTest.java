package org.chorus.dht.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Key encodings, key files and argument checks. */
class AgeKeysTest {

  // A pair made by age-keygen (Debian age 1.1.1): a known answer for Bech32 and X25519.
  private static final String SECRET =
      "AGE-SECRET-KEY-189NY4T2J0LNKYYFFH6KFS9C577D5F6FM7P0NRPQ8YSCJNL3UXH9SA2FM5H";
  private static final String PUBLIC =
      "age1hyqz23623uhu0jfegnrgklwv7jwaktk03yae4sglj9q4yegercgqglvdxq";

  @Test
  void identityDerivesTheRecipientAgeKeygenPrinted() {
    X25519Identity id = X25519Identity.parse(SECRET);
    assertThat(id.recipient().encode()).isEqualTo(PUBLIC);
    assertThat(id.encode()).isEqualTo(SECRET);
    assertThat(X25519Recipient.parse(PUBLIC)).isEqualTo(id.recipient());
    assertThat(id.toString()).doesNotContain("SECRET");
  }

  @Test
  void generatedKeysRoundTripThroughTheirTextForms() {
    X25519Identity id = X25519Identity.generate();
    X25519Identity again = X25519Identity.parse(id.encode());
    assertThat(again.recipient()).isEqualTo(id.recipient());
    assertThat(X25519Recipient.parse(id.recipient().encode())).isEqualTo(id.recipient());
    assertThat(id.encode()).startsWith("AGE-SECRET-KEY-1");
    assertThat(id.recipient().encode()).startsWith("age1");
  }

  @Test
  void malformedKeysAreRejectedWithAReason() {
    assertThatThrownBy(() -> X25519Recipient.parse(PUBLIC.substring(0, PUBLIC.length() - 1) + "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checksum");
    assertThatThrownBy(
            () ->
                X25519Recipient.parse(PUBLIC.toUpperCase().substring(0, 10) + PUBLIC.substring(10)))
        .hasMessageContaining("mixed case");
    assertThatThrownBy(() -> X25519Recipient.parse(SECRET))
        .hasMessageContaining("not an age1 recipient");
    assertThatThrownBy(() -> X25519Identity.parse(PUBLIC))
        .hasMessageContaining("not an AGE-SECRET-KEY-1");
    assertThatThrownBy(() -> X25519Identity.parse(SECRET.toLowerCase()))
        .hasMessageContaining("not an AGE-SECRET-KEY-1");
    assertThatThrownBy(() -> X25519Recipient.parse("age1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> X25519Recipient.parse("age1\u00e9qqqqqqq"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void identityFilesAreParsedAsAgeKeygenWritesThem() {
    X25519Identity id = X25519Identity.generate();
    String text = IdentityFile.format(id, Instant.parse("2026-11-24T12:00:00.123Z"));
    assertThat(text)
        .isEqualTo(
            "# created: 2026-11-24T12:00:00Z\n# public key: "
                + id.recipient().encode()
                + "\n"
                + id.encode()
                + "\n");
    List<Identity> parsed = IdentityFile.parse(text + "\r\n# another\n" + SECRET + "\r\n");
    assertThat(parsed).hasSize(2);
    assertThat(((X25519Identity) parsed.get(0)).recipient()).isEqualTo(id.recipient());
    assertThatThrownBy(() -> IdentityFile.parse("# nothing\n\n"))
        .hasMessageContaining("no secret keys");
    assertThatThrownBy(() -> IdentityFile.parse("# x\nAGE-SECRET-KEY-1QQQ\n"))
        .hasMessageContaining("line 2");
  }

  @Test
  void recipientsFilesAreParsed() {
    List<Recipient> parsed = RecipientsFile.parse("# team\n" + PUBLIC + "\n\n  " + PUBLIC + "  \n");
    assertThat(parsed).hasSize(2).allMatch(r -> r.equals(X25519Recipient.parse(PUBLIC)));
    assertThatThrownBy(() -> RecipientsFile.parse("age1nope\n")).hasMessageContaining("line 1");
    assertThatThrownBy(() -> RecipientsFile.parse("")).hasMessageContaining("no recipients");
  }

  @Test
  void encryptRefusesBadRecipientSets() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> Age.encrypt(out, List.<Recipient>of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no recipients");
    assertThatThrownBy(
            () ->
                Age.encrypt(
                    out, new ScryptRecipient("pw", 10), X25519Identity.generate().recipient()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only recipient");
    assertThat(out.size()).isZero();
    assertThatThrownBy(() -> new ScryptRecipient("")).hasMessageContaining("empty");
  }
}
