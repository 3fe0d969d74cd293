package org.chorus.dht.age.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.chorus.dht.age.cli.CliArgs.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliArgsTest {

  @Test
  void encryptIsTheDefaultAndKeepsRepeatedFlagsInOrder() throws UsageException {
    CliArgs args =
        CliArgs.parse("-r", "age1a", "--recipient", "age1b", "-R", "f1", "-i", "k", "in");

    assertThat(args.command()).isEqualTo(Command.ENCRYPT);
    assertThat(args.recipients()).containsExactly("age1a", "age1b");
    assertThat(args.recipientFiles()).containsExactly(Path.of("f1"));
    assertThat(args.identityFiles()).containsExactly(Path.of("k"));
    assertThat(args.input()).isEqualTo(Path.of("in"));
    assertThat(args.output()).isNull();
    assertThat(args.armor()).isFalse();
  }

  @Test
  void longFormsAndInlineValues() throws UsageException {
    CliArgs args =
        CliArgs.parse("--encrypt", "--armor", "--recipients-file=rs", "--output=out", "-r=age1x");

    assertThat(args.armor()).isTrue();
    assertThat(args.recipientFiles()).containsExactly(Path.of("rs"));
    assertThat(args.output()).isEqualTo(Path.of("out"));
    assertThat(args.recipients()).containsExactly("age1x");
    assertThat(args.input()).isNull();
  }

  @Test
  void dashMeansStandardStreamsAndDoubleDashEndsOptions() throws UsageException {
    assertThat(CliArgs.parse("-p", "-o", "-", "-").output()).isNull();
    assertThat(CliArgs.parse("-p", "-").input()).isNull();
    assertThat(CliArgs.parse("-p", "--", "-weird").input()).isEqualTo(Path.of("-weird"));
  }

  @Test
  void optionsMayFollowTheInput() throws UsageException {
    CliArgs args = CliArgs.parse("-d", "in.age", "-i", "key", "-o", "out");

    assertThat(args.command()).isEqualTo(Command.DECRYPT);
    assertThat(args.input()).isEqualTo(Path.of("in.age"));
    assertThat(args.identityFiles()).containsExactly(Path.of("key"));
    assertThat(args.output()).isEqualTo(Path.of("out"));
  }

  @Test
  void decryptWithPassphrase() throws UsageException {
    CliArgs args = CliArgs.parse("--decrypt", "--passphrase");

    assertThat(args.command()).isEqualTo(Command.DECRYPT);
    assertThat(args.passphrase()).isTrue();
  }

  @Test
  void keygenAndConvert() throws UsageException {
    assertThat(CliArgs.parse("keygen").command()).isEqualTo(Command.KEYGEN);
    assertThat(CliArgs.parse("keygen", "-o", "k").output()).isEqualTo(Path.of("k"));
    CliArgs convert = CliArgs.parse("keygen", "-y", "key.txt");
    assertThat(convert.command()).isEqualTo(Command.CONVERT);
    assertThat(convert.input()).isEqualTo(Path.of("key.txt"));
  }

  @Test
  void help() throws UsageException {
    assertThat(CliArgs.parse("-h").command()).isEqualTo(Command.HELP);
    assertThat(CliArgs.parse("keygen", "--help").command()).isEqualTo(Command.HELP);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-x -r age1a                 | unknown flag: -x",
        "-r                          | flag needs an argument: -r",
        "--armor=yes -r age1a        | flag takes no argument: --armor",
        "-r age1a a b                | too many arguments: a b",
        "-o a -o b -r age1a          | -o/--output can be given only once",
        "in                          | missing recipients",
        "-p -r age1a                 | -p/--passphrase can't be combined",
        "-p -i key                   | -p/--passphrase can't be combined",
        "-d                          | missing identities",
        "-d -e -i k                  | -e/--encrypt can't be used with -d/--decrypt",
        "-d -a -i k                  | -a/--armor can't be used with -d/--decrypt",
        "-d -r age1a -i k            | -r/--recipient can't be used with -d/--decrypt",
        "-d -R file -i k             | -R/--recipients-file can't be used with -d/--decrypt",
        "keygen -r age1a             | unknown flag: -r",
        "keygen -d                   | unknown flag: -d",
        "keygen in                   | keygen takes no INPUT",
      })
  void rejectsMalformedCommandLines(String line, String message) {
    assertThatThrownBy(() -> CliArgs.parse(line.trim().split(" +")))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith(message);
  }
}
