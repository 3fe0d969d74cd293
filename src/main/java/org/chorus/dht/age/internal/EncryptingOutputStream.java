package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Encrypts plaintext written to it as an age payload. A full chunk is sealed only once more data
 * arrives, so that {@link #close()} can mark the true last chunk (which may be full). Not
 * thread-safe, like any {@link OutputStream}.
 */
public final class EncryptingOutputStream extends OutputStream {

  private final OutputStream out;
  private final Stream stream;
  private final byte[] plain = new byte[Stream.CHUNK_SIZE];
  private final byte[] sealed = new byte[Stream.ENCRYPTED_CHUNK_SIZE];
  private int buffered;
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
    ensureOpen();
    while (len > 0) {
      if (buffered == Stream.CHUNK_SIZE) {
        sealChunk(plain, 0, false);
        buffered = 0;
      }
      if (buffered == 0 && len > Stream.CHUNK_SIZE) {
        // More data follows this chunk, so it is not the last: seal straight from the caller.
        sealChunk(b, off, false);
        off += Stream.CHUNK_SIZE;
        len -= Stream.CHUNK_SIZE;
        continue;
      }
      int n = Math.min(len, Stream.CHUNK_SIZE - buffered);
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

  /** Seals the last chunk and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      int n = stream.seal(plain, 0, buffered, sealed, 0, true);
      out.write(sealed, 0, n);
    }
  }

  private void sealChunk(byte[] src, int off, boolean last) throws IOException {
    int n = stream.seal(src, off, Stream.CHUNK_SIZE, sealed, 0, last);
    out.write(sealed, 0, n);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
  }
}
