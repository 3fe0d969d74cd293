package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts plaintext written to it as an age payload. Full chunks are sealed in batches (on all
 * cores, see {@link Stream}) only once more data arrives, so that {@link #close()} can mark the
 * true last chunk, which may be full. Buffers start at one chunk and grow to {@link
 * Stream#MAX_BATCH_CHUNKS} chunks for long payloads. Not thread-safe, like any {@link
 * OutputStream}.
 */
public final class EncryptingOutputStream extends OutputStream {

  private static final int CHUNK = Stream.CHUNK_SIZE;
  private static final int SEALED_CHUNK = Stream.ENCRYPTED_CHUNK_SIZE;

  private final OutputStream out;
  private final Stream stream;

  /** First buffer size: small items (the service's are mostly a few KiB) need no 64 KiB buffer. */
  static final int INITIAL_BUFFER = 4096;

  private byte[] plain = new byte[INITIAL_BUFFER];
  private byte[] sealed = new byte[0];
  private int buffered;
  private long index;
  private boolean closed;

  /** Writes the payload nonce to {@code out} and keys the stream from it. */
  public EncryptingOutputStream(OutputStream out, byte[] fileKey, byte[] payloadNonce)
      throws IOException {
    this.out = out;
    this.stream = new Stream(fileKey, payloadNonce);
    out.write(payloadNonce);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    while (len > 0) {
      if (buffered == plain.length) {
        if (plain.length < CHUNK) {
          plain = Arrays.copyOf(plain, Math.min(CHUNK, 2 * plain.length));
          continue;
        }
        sealAndWrite(plain, 0, buffered / CHUNK);
        buffered = 0;
        grow();
      }
      if (buffered == 0 && len > CHUNK) {
        // Chunks followed by more of the caller's data are not last: seal them in place.
        int count = Math.min((len - 1) / CHUNK, Stream.MAX_BATCH_CHUNKS);
        sealAndWrite(b, off, count);
        off += count * CHUNK;
        len -= count * CHUNK;
        continue;
      }
      int n = Math.min(len, plain.length - buffered);
      System.arraycopy(b, off, plain, buffered, n);
      buffered += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Seals the buffered chunks, the last one flagged, and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      int notLast = Math.max(0, (buffered - 1) / CHUNK);
      sealAndWrite(plain, 0, notLast);
      int rest = buffered - notLast * CHUNK;
      ensureSealed(rest + ChaChaPoly.TAG_SIZE);
      int n = stream.seal(index, plain, notLast * CHUNK, rest, sealed, 0, true);
      out.write(sealed, 0, n);
    }
  }

  private void sealAndWrite(byte[] src, int off, int count) throws IOException {
    if (count == 0) {
      return;
    }
    ensureSealed(count * SEALED_CHUNK);
    stream.sealFull(index, count, src, off, sealed);
    index += count;
    out.write(sealed, 0, count * SEALED_CHUNK);
  }

  private void grow() {
    if (plain.length < Stream.MAX_BATCH_CHUNKS * CHUNK) {
      int chunks = Math.min(Stream.MAX_BATCH_CHUNKS, 2 * (plain.length / CHUNK));
      plain = Arrays.copyOf(plain, chunks * CHUNK);
    }
  }

  private void ensureSealed(int size) {
    if (sealed.length < size) {
      sealed = new byte[size];
    }
  }
}
