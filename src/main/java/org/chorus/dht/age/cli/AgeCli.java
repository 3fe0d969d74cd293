package org.chorus.dht.age.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.chorus.dht.age.Age;
import org.chorus.dht.age.Armor;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.Recipient;
import org.chorus.dht.age.RecipientsFile;
import org.chorus.dht.age.ScryptIdentity;
import org.chorus.dht.age.ScryptRecipient;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.age.X25519Recipient;

/**
 * {@code chorus-age}: the {@code age} command line (encrypt, decrypt, armor, passphrase) and an
 * {@code age-keygen}-like {@code keygen} subcommand, over {@link Age}. See {@link CliArgs#USAGE}.
 *
 * <p>A thin adapter: {@link CliArgs} parses, {@link Output} makes {@code -o} files appear only when
 * complete, and this class wires files and streams to the library. Errors print one line {@code
 * chorus-age: error: <message>} and exit 1; a malformed command line also prints the usage and
 * exits 2. The passphrase for {@code -p} comes from {@value #PASSPHRASE_ENV}, never from the
 * command line. An instance runs one command at a time; it is not thread-safe.
 */
public final class AgeCli {

  /** The environment variable that holds the passphrase for {@code -p}. */
  static final String PASSPHRASE_ENV = "AGE_PASSPHRASE";

  static final int EXIT_OK = 0;
  static final int EXIT_ERROR = 1;
  static final int EXIT_USAGE = 2;

  private static final String NAME = "chorus-age";

  private final InputStream stdin;
  private final OutputStream stdout;
  private final PrintStream stderr;
  private final Function<String, String> env;
  private final Clock clock;

  AgeCli(
      InputStream stdin,
      OutputStream stdout,
      PrintStream stderr,
      Function<String, String> env,
      Clock clock) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.env = env;
    this.clock = clock;
  }

  public static void main(String[] args) {
    OutputStream stdout =
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), Output.BUFFER_SIZE);
    AgeCli cli =
        new AgeCli(
            new FileInputStream(FileDescriptor.in),
            stdout,
            System.err,
            System::getenv,
            Clock.systemUTC());
    System.exit(cli.run(args));
  }

  /** Runs one command line; returns the process exit code. */
  int run(String... args) {
    CliArgs parsed;
    try {
      parsed = CliArgs.parse(args);
    } catch (UsageException e) {
      stderr.println(NAME + ": error: " + e.getMessage());
      stderr.print(CliArgs.USAGE);
      return EXIT_USAGE;
    }
    try {
      execute(parsed);
      return EXIT_OK;
    } catch (IOException | CliException e) {
      stderr.println(NAME + ": error: " + message(parsed.command(), e));
      return EXIT_ERROR;
    } catch (UncheckedIOException e) {
      stderr.println(NAME + ": error: " + message(parsed.command(), e.getCause()));
      return EXIT_ERROR;
    }
  }

  /** The library's and our messages read "failed to …"; a bare I/O error gets that prefix. */
  private static String message(CliArgs.Command command, Exception e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("failed to ")) {
      return message;
    }
    String what =
        switch (command) {
          case DECRYPT -> "decrypt";
          case KEYGEN -> "generate an identity";
          case CONVERT -> "convert the identity file";
          default -> "encrypt";
        };
    return "failed to " + what + ": " + message;
  }

  private void execute(CliArgs args) throws IOException, CliException {
    switch (args.command()) {
      case ENCRYPT -> encrypt(args);
      case DECRYPT -> decrypt(args);
      case KEYGEN -> keygen(args.output());
      case CONVERT -> convert(args);
      case HELP -> {
        stdout.write(CliArgs.USAGE.getBytes(StandardCharsets.UTF_8));
        stdout.flush();
      }
    }
  }

  private void encrypt(CliArgs args) throws IOException, CliException {
    List<Recipient> recipients = recipients(args);
    try (InputStream in = openInput(args.input());
        Output out = openOutput(args.output())) {
      OutputStream sink = args.armor() ? Armor.armor(out.stream()) : out.stream();
      OutputStream encrypting = Age.encrypt(sink, recipients);
      copy(in, encrypting);
      // Closed only on success: a failed run must not end with a valid final chunk.
      encrypting.close();
      out.commit();
    }
  }

  private void decrypt(CliArgs args) throws IOException, CliException {
    List<Identity> identities = identities(args);
    try (InputStream in = openInput(args.input());
        Output out = openOutput(args.output())) {
      // Armor.detect buffers; the decrypting stream reads batches of chunks with readNBytes.
      try (InputStream plaintext = Age.decrypt(Armor.detect(in), identities)) {
        copy(plaintext, out.stream());
      }
      out.commit();
    }
  }

  private void keygen(Path output) throws IOException {
    X25519Identity identity = X25519Identity.generate();
    String text = IdentityFile.format(identity, clock.instant().truncatedTo(ChronoUnit.SECONDS));
    if (output == null) {
      stdout.write(text.getBytes(StandardCharsets.UTF_8));
      stdout.flush();
    } else {
      writeKeyFile(output, text);
    }
    stderr.println("Public key: " + identity.recipient().encode());
  }

  /** Like age-keygen: mode 600 from the start, and never overwrites an existing file. */
  private static void writeKeyFile(Path output, String text) throws IOException {
    try {
      Files.createFile(
          output,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (IOException e) {
      throw new IOException(
          "failed to create output file " + output + ": " + Failures.reason(e), e);
    }
    try {
      Files.writeString(output, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      Files.deleteIfExists(output);
      throw new IOException("failed to write output file " + output + ": " + Failures.reason(e), e);
    }
  }

  private void convert(CliArgs args) throws IOException, CliException {
    String text;
    try (InputStream in = openInput(args.input())) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder recipients = new StringBuilder();
    for (Identity identity : parseIdentities(text, args.input() == null ? "-" : args.input())) {
      recipients.append(x25519(identity, "input").recipient().encode()).append('\n');
    }
    try (Output out = openOutput(args.output())) {
      out.stream().write(recipients.toString().getBytes(StandardCharsets.UTF_8));
      out.commit();
    }
  }

  private List<Recipient> recipients(CliArgs args) throws CliException {
    if (args.passphrase()) {
      return List.of(new ScryptRecipient(passphrase()));
    }
    List<Recipient> recipients = new ArrayList<>();
    for (String recipient : args.recipients()) {
      recipients.add(parseRecipient(recipient));
    }
    for (Path file : args.recipientFiles()) {
      recipients.addAll(readRecipients(file));
    }
    for (Path file : args.identityFiles()) {
      for (Identity identity : readIdentities(file)) {
        recipients.add(x25519(identity, file.toString()).recipient());
      }
    }
    return recipients;
  }

  private List<Identity> identities(CliArgs args) throws CliException {
    List<Identity> identities = new ArrayList<>();
    for (Path file : args.identityFiles()) {
      identities.addAll(readIdentities(file));
    }
    if (args.passphrase()) {
      identities.add(new ScryptIdentity(passphrase()));
    }
    return identities;
  }

  private String passphrase() throws CliException {
    String passphrase = env.apply(PASSPHRASE_ENV);
    if (passphrase == null) {
      throw new CliException(
          "failed to read passphrase: -p/--passphrase needs the environment variable "
              + PASSPHRASE_ENV);
    }
    if (passphrase.isEmpty()) {
      throw new CliException("failed to read passphrase: " + PASSPHRASE_ENV + " is empty");
    }
    return passphrase;
  }

  private static Recipient parseRecipient(String recipient) throws CliException {
    try {
      return X25519Recipient.parse(recipient);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "failed to parse recipient \"" + recipient + "\": " + Failures.detail(e), e);
    }
  }

  private static List<Recipient> readRecipients(Path file) throws CliException {
    try {
      return RecipientsFile.read(file);
    } catch (IOException e) {
      throw new CliException(
          "failed to read recipients file " + file + ": " + Failures.reason(e), e);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "failed to parse recipients file " + file + ": " + Failures.detail(e), e);
    }
  }

  private static List<Identity> readIdentities(Path file) throws CliException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("failed to read identity file " + file + ": " + Failures.reason(e), e);
    }
    return parseIdentities(text, file);
  }

  private static List<Identity> parseIdentities(String text, Object source) throws CliException {
    try {
      return IdentityFile.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "failed to parse identity file " + source + ": " + Failures.detail(e), e);
    }
  }

  private static X25519Identity x25519(Identity identity, String source) throws CliException {
    if (identity instanceof X25519Identity x25519) {
      return x25519;
    }
    throw new CliException(
        "failed to convert identity from " + source + ": only X25519 identities have a recipient");
  }

  private InputStream openInput(Path input) throws IOException {
    if (input == null) {
      return new FilterInputStream(stdin) {
        @Override
        public void close() {
          // Standard input stays open.
        }
      };
    }
    try {
      return Files.newInputStream(input);
    } catch (IOException e) {
      throw new IOException("failed to open input file " + input + ": " + Failures.reason(e), e);
    }
  }

  private Output openOutput(Path output) throws IOException {
    return output == null ? Output.stdout(stdout) : Output.file(output);
  }

  /** Copies in 1 MiB blocks: the age STREAM encrypts 16 chunks per write. */
  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[Output.BUFFER_SIZE];
    int n;
    while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
      out.write(buffer, 0, n);
    }
  }

  /** A failure the CLI reports as one line and exit code 1. */
  static final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
      super(message);
    }

    CliException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
