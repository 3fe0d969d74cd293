package org.chorus.dht.age;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.chorus.dht.age.internal.DecryptingInputStream;
import org.chorus.dht.age.internal.EncryptingOutputStream;
import org.chorus.dht.age.internal.Header;
import org.chorus.dht.age.internal.Stream;

/**
 * age-encryption.org/v1 (C2SP age): encrypt to recipients, decrypt with identities. Streams never
 * hold more than one 64 KiB chunk, so payloads of any size pass through bounded memory. Stateless
 * and thread-safe; the returned streams are not.
 */
public final class Age {

  private static final int FILE_KEY_SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Age() {}

  /**
   * Writes an age header for the recipients to {@code dst} and returns a stream that encrypts what
   * is written to it. Its {@code close()} writes the final chunk and closes {@code dst}.
   *
   * @throws IllegalArgumentException if there are no recipients, or an scrypt recipient is not
   *     alone
   */
  public static OutputStream encrypt(OutputStream dst, Recipient... recipients) throws IOException {
    return encrypt(dst, List.of(recipients));
  }

  /** As {@link #encrypt(OutputStream, Recipient...)}. */
  public static OutputStream encrypt(OutputStream dst, Collection<? extends Recipient> recipients)
      throws IOException {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("failed to encrypt: no recipients");
    }
    if (recipients.size() > 1 && recipients.stream().anyMatch(ScryptRecipient.class::isInstance)) {
      throw new IllegalArgumentException(
          "failed to encrypt: a passphrase recipient must be the only recipient");
    }
    byte[] fileKey = randomBytes(FILE_KEY_SIZE);
    List<Stanza> stanzas = new ArrayList<>();
    for (List<Stanza> wrapped : wrapAll(List.copyOf(recipients), fileKey)) {
      stanzas.addAll(wrapped);
    }
    dst.write(Header.encode(stanzas, fileKey));
    return new EncryptingOutputStream(dst, fileKey, randomBytes(Stream.NONCE_SIZE));
  }

  /**
   * Reads and checks the header from {@code src} and returns a stream of the plaintext. The stream
   * yields only authenticated data and ends in a {@link PayloadException} if the payload is
   * damaged; its {@code close()} closes {@code src}.
   *
   * @throws HeaderException if the header is malformed or invalid
   * @throws NoIdentityMatchException if no identity unwraps the file key
   * @throws HeaderMacException if the header MAC does not match
   */
  public static InputStream decrypt(InputStream src, Identity... identities) throws IOException {
    return decrypt(src, List.of(identities));
  }

  /** As {@link #decrypt(InputStream, Identity...)}. */
  public static InputStream decrypt(InputStream src, Collection<? extends Identity> identities)
      throws IOException {
    if (identities.isEmpty()) {
      throw new IllegalArgumentException("failed to decrypt: no identities");
    }
    InputStream in = src.markSupported() ? src : new BufferedInputStream(src, 8192);
    Header header = Header.read(in);
    checkScryptAlone(header.stanzas());
    byte[] fileKey = unwrap(header.stanzas(), identities);
    if (!header.macMatches(fileKey)) {
      throw new HeaderMacException("failed to decrypt: header MAC does not match");
    }
    byte[] nonce = in.readNBytes(Stream.NONCE_SIZE);
    if (nonce.length != Stream.NONCE_SIZE) {
      throw new HeaderException("failed to read payload nonce: file ends early");
    }
    return new DecryptingInputStream(in, fileKey, nonce);
  }

  /** Encrypts a whole byte array. */
  public static byte[] encrypt(byte[] plaintext, Recipient... recipients) {
    return encrypt(plaintext, List.of(recipients));
  }

  /** Encrypts a whole byte array. */
  public static byte[] encrypt(byte[] plaintext, Collection<? extends Recipient> recipients) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length + 256);
    try (OutputStream enc = encrypt(out, recipients)) {
      enc.write(plaintext);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to encrypt to memory", e);
    }
    return out.toByteArray();
  }

  /** Decrypts a whole byte array; succeeds only if the entire file authenticates. */
  public static byte[] decrypt(byte[] ciphertext, Identity... identities) throws AgeException {
    return decrypt(ciphertext, List.of(identities));
  }

  /** Decrypts a whole byte array; succeeds only if the entire file authenticates. */
  public static byte[] decrypt(byte[] ciphertext, Collection<? extends Identity> identities)
      throws AgeException {
    try (InputStream in = decrypt(new ByteArrayInputStream(ciphertext), identities)) {
      return in.readAllBytes();
    } catch (AgeException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to decrypt from memory", e);
    }
  }

  private static void checkScryptAlone(List<Stanza> stanzas) throws HeaderException {
    if (stanzas.size() > 1 && stanzas.stream().anyMatch(s -> s.type().equals("scrypt"))) {
      throw new HeaderException("failed to read header: an scrypt stanza must be the only one");
    }
  }

  private static byte[] unwrap(List<Stanza> stanzas, Collection<? extends Identity> identities)
      throws AgeException {
    for (Identity identity : identities) {
      byte[] fileKey = identity.unwrap(stanzas);
      if (fileKey != null) {
        if (fileKey.length != FILE_KEY_SIZE) {
          throw new HeaderException("failed to unwrap file key: wrong size " + fileKey.length);
        }
        return fileKey;
      }
    }
    throw new NoIdentityMatchException("failed to decrypt: no identity matched any recipient");
  }

  /** Recipients from which a file's key wraps run on several cores at once. */
  static final int PARALLEL_WRAP_MIN = 3;

  /**
   * Each recipient's stanzas, in order. With {@value #PARALLEL_WRAP_MIN} or more recipients the
   * wraps (two X25519 operations each, most of a small file's cost) run on the common fork-join
   * pool as well as this thread, as the payload's chunks do: a file for seven roles is sealed in
   * about half the time on two cores. Under a concurrent load the cores are busy anyway and the
   * caller does most of the work itself; what one file costs in CPU does not change.
   */
  private static List<List<Stanza>> wrapAll(List<? extends Recipient> recipients, byte[] fileKey) {
    if (recipients.size() < PARALLEL_WRAP_MIN || Runtime.getRuntime().availableProcessors() < 2) {
      List<List<Stanza>> out = new ArrayList<>(recipients.size());
      for (Recipient r : recipients) {
        out.add(r.wrap(fileKey));
      }
      return out;
    }
    return recipients.parallelStream().map(r -> r.wrap(fileKey)).toList();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
