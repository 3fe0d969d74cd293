package org.chorus.dht.age.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed command line of {@link AgeCli}: the flags of the {@code age} CLI plus a {@code keygen}
 * subcommand shaped like {@code age-keygen}.
 *
 * <p>Options may come before or after the one positional INPUT; {@code --} ends the options; a
 * value may follow its flag as the next argument or after {@code =} ({@code --output=FILE}). A path
 * of {@code -} means standard input or output, represented as {@code null}. Immutable and
 * thread-safe.
 *
 * @param command what to do
 * @param recipients {@code -r} values, in order
 * @param recipientFiles {@code -R} paths, in order
 * @param identityFiles {@code -i} paths, in order
 * @param armor {@code -a}
 * @param passphrase {@code -p}
 * @param output {@code -o} path, or {@code null} for standard output
 * @param input the positional path, or {@code null} for standard input
 */
record CliArgs(
    Command command,
    List<String> recipients,
    List<Path> recipientFiles,
    List<Path> identityFiles,
    boolean armor,
    boolean passphrase,
    Path output,
    Path input) {

  /** What the CLI does. */
  enum Command {
    ENCRYPT,
    DECRYPT,
    /** {@code keygen}: writes a new identity file. */
    KEYGEN,
    /** {@code keygen -y}: converts an identity file to a recipients file. */
    CONVERT,
    HELP
  }

  static final String USAGE =
      """
      Usage:
          chorus-age [--encrypt] (-r RECIPIENT | -R PATH | -i PATH)... [--armor] [-o OUTPUT] [INPUT]
          chorus-age [--encrypt] --passphrase [--armor] [-o OUTPUT] [INPUT]
          chorus-age --decrypt [-i PATH]... [--passphrase] [-o OUTPUT] [INPUT]
          chorus-age keygen [-o OUTPUT]
          chorus-age keygen -y [-o OUTPUT] [INPUT]

      Options:
          -e, --encrypt               Encrypt the input to the output. Default if omitted.
          -d, --decrypt               Decrypt the input to the output (armor is detected).
          -o, --output OUTPUT         Write the result to the file at path OUTPUT.
          -a, --armor                 Encrypt to a PEM encoded format.
          -p, --passphrase            Use the passphrase in the AGE_PASSPHRASE environment variable.
          -r, --recipient RECIPIENT   Encrypt to the X25519 RECIPIENT (age1...). Can be repeated.
          -R, --recipients-file PATH  Encrypt to the recipients listed at PATH. Can be repeated.
          -i, --identity PATH         Use the identity file at PATH. Can be repeated.
                                      When encrypting, encrypt to its recipient.
          -y                          (keygen) Print the recipients of the identity file INPUT.

      INPUT defaults to standard input and OUTPUT to standard output; "-" means either.
      OUTPUT appears only once it is complete. keygen -o refuses to overwrite a file.
      """;

  CliArgs {
    recipients = List.copyOf(recipients);
    recipientFiles = List.copyOf(recipientFiles);
    identityFiles = List.copyOf(identityFiles);
  }

  /** Parses and validates a command line; throws with a one-line message if it is malformed. */
  static CliArgs parse(String... args) throws UsageException {
    boolean keygen = args.length > 0 && args[0].equals("keygen");
    Parser parser = new Parser(keygen);
    parser.parse(args, keygen ? 1 : 0);
    return parser.build();
  }

  /** Mutable state of one parse; not thread-safe. */
  private static final class Parser {
    private final boolean keygen;
    private final List<String> recipients = new ArrayList<>();
    private final List<Path> recipientFiles = new ArrayList<>();
    private final List<Path> identityFiles = new ArrayList<>();
    private final List<String> positional = new ArrayList<>();
    private boolean encrypt;
    private boolean decrypt;
    private boolean armor;
    private boolean passphrase;
    private boolean convert;
    private boolean help;
    private String output;

    Parser(boolean keygen) {
      this.keygen = keygen;
    }

    void parse(String[] args, int from) throws UsageException {
      for (int i = from; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--")) {
          positional.addAll(List.of(args).subList(i + 1, args.length));
          return;
        }
        if (!arg.startsWith("-") || arg.equals("-")) {
          positional.add(arg);
          continue;
        }
        i = option(args, i);
      }
    }

    /** Handles the option at {@code args[i]}; returns the index of the last argument it used. */
    private int option(String[] args, int i) throws UsageException {
      String arg = args[i];
      int eq = arg.startsWith("--") ? arg.indexOf('=') : arg.indexOf('=', 1);
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      if (takesValue(name)) {
        if (inline != null) {
          value(name, inline);
          return i;
        }
        if (i + 1 >= args.length) {
          throw new UsageException("flag needs an argument: " + name);
        }
        value(name, args[i + 1]);
        return i + 1;
      }
      if (inline != null) {
        throw new UsageException("flag takes no argument: " + name);
      }
      flag(name);
      return i;
    }

    private boolean takesValue(String name) {
      return switch (name) {
        case "-r", "--recipient", "-R", "--recipients-file", "-i", "--identity" -> !keygen;
        case "-o", "--output" -> true;
        default -> false;
      };
    }

    private void value(String name, String value) throws UsageException {
      switch (name) {
        case "-r", "--recipient" -> recipients.add(value);
        case "-R", "--recipients-file" -> recipientFiles.add(Path.of(value));
        case "-i", "--identity" -> identityFiles.add(Path.of(value));
        default -> setOutput(value);
      }
    }

    private void setOutput(String value) throws UsageException {
      if (output != null) {
        throw new UsageException("-o/--output can be given only once");
      }
      output = value;
    }

    private void flag(String name) throws UsageException {
      switch (keygen ? "keygen " + name : name) {
        case "-e", "--encrypt" -> encrypt = true;
        case "-d", "--decrypt" -> decrypt = true;
        case "-a", "--armor" -> armor = true;
        case "-p", "--passphrase" -> passphrase = true;
        case "keygen -y" -> convert = true;
        case "-h", "--help", "keygen -h", "keygen --help" -> help = true;
        default -> throw new UsageException("unknown flag: " + name);
      }
    }

    CliArgs build() throws UsageException {
      if (positional.size() > 1) {
        throw new UsageException("too many arguments: " + String.join(" ", positional));
      }
      Command command = command();
      validate(command);
      return new CliArgs(
          command,
          recipients,
          recipientFiles,
          identityFiles,
          armor,
          passphrase,
          path(output),
          positional.isEmpty() ? null : path(positional.get(0)));
    }

    private Command command() {
      if (help) {
        return Command.HELP;
      }
      if (keygen) {
        return convert ? Command.CONVERT : Command.KEYGEN;
      }
      return decrypt ? Command.DECRYPT : Command.ENCRYPT;
    }

    private void validate(Command command) throws UsageException {
      switch (command) {
        case ENCRYPT -> validateEncrypt();
        case DECRYPT -> validateDecrypt();
        case KEYGEN -> require(positional.isEmpty(), "keygen takes no INPUT (did you mean -y?)");
        default -> {}
      }
    }

    private void validateEncrypt() throws UsageException {
      boolean keys = !recipients.isEmpty() || !recipientFiles.isEmpty() || !identityFiles.isEmpty();
      require(
          !passphrase || !keys,
          "-p/--passphrase can't be combined with -r/--recipient, -R/--recipients-file or"
              + " -i/--identity");
      require(
          keys || passphrase,
          "missing recipients: use -r/--recipient, -R/--recipients-file, -i/--identity or"
              + " -p/--passphrase");
    }

    private void validateDecrypt() throws UsageException {
      require(!encrypt, "-e/--encrypt can't be used with -d/--decrypt");
      require(!armor, "-a/--armor can't be used with -d/--decrypt (armor is detected)");
      require(recipients.isEmpty(), "-r/--recipient can't be used with -d/--decrypt");
      require(recipientFiles.isEmpty(), "-R/--recipients-file can't be used with -d/--decrypt");
      require(
          !identityFiles.isEmpty() || passphrase,
          "missing identities: use -i/--identity or -p/--passphrase");
    }

    private static void require(boolean condition, String message) throws UsageException {
      if (!condition) {
        throw new UsageException(message);
      }
    }

    private static Path path(String value) {
      return value == null || value.equals("-") ? null : Path.of(value);
    }
  }
}
