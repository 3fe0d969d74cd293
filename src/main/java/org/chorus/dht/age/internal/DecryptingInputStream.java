package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.chorus.dht.age.PayloadException;

/**
 * Decrypts an age payload. Only authenticated chunks are handed out; a damaged, truncated or
 * over-long payload ends in a {@link PayloadException} after the chunks before the damage, never in
 * a quiet end of stream.
 *
 * <p>Chunks are read in batches with one byte of look-ahead, so it is known whether data follows
 * each chunk; full chunks followed by data are opened as non-last chunks on all cores (see {@link
 * Stream}), and the rest follows the spec's order: a full chunk is tried as non-last, then as last;
 * a short chunk must be last; an empty last chunk is allowed only as the whole payload. Buffers
 * start at one chunk and grow to {@link Stream#MAX_BATCH_CHUNKS}. Not thread-safe.
 */
public final class DecryptingInputStream extends RefillingInputStream {

  private static final int CHUNK = Stream.CHUNK_SIZE;
  private static final int SEALED_CHUNK = Stream.ENCRYPTED_CHUNK_SIZE;

  private final InputStream in;
  private final Stream stream;

  /**
   * First read: a small payload (the service's items are mostly a few KiB) fits, so neither 64 KiB
   * buffer is allocated for it; a larger one grows to a whole chunk before anything is opened.
   */
  static final int INITIAL_BUFFER = 4096;

  private byte[] sealed = new byte[INITIAL_BUFFER + 1];
  private byte[] plain = new byte[INITIAL_BUFFER];
  private int carried;
  private long index;

  /** Reads the payload that follows the nonce from {@code in}. */
  public DecryptingInputStream(InputStream in, byte[] fileKey, byte[] payloadNonce) {
    this.in = in;
    this.stream = new Stream(fileKey, payloadNonce);
    this.buffer = plain;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  protected void refill() throws IOException {
    if (carried > 0) {
      grow(); // a long payload: take bigger batches (the previous batch is fully read)
    }
    int n = carried + in.readNBytes(sealed, carried, sealed.length - carried);
    if (n == sealed.length && sealed.length < SEALED_CHUNK + 1) {
      // more than the first small buffer: from here on at least one whole chunk at a time
      sealed = Arrays.copyOf(sealed, SEALED_CHUNK + 1);
      plain = new byte[CHUNK];
      buffer = plain;
      n += in.readNBytes(sealed, n, sealed.length - n);
    }
    boolean more = n == sealed.length;
    int data = more ? n - 1 : n;
    pos = 0;
    limit = 0;
    if (data == 0) {
      fail("truncated (missing final chunk " + index + ")");
      return;
    }
    int full = data / SEALED_CHUNK;
    int candidates = more || data % SEALED_CHUNK != 0 ? full : full - 1;
    int good = stream.openFull(index, candidates, sealed, plain);
    limit = good * CHUNK;
    index += good;
    if (good < candidates) {
      // Full and followed by data: valid only as a final chunk, which makes the data trailing.
      if (openLast(good * SEALED_CHUNK, SEALED_CHUNK, good * CHUNK)) {
        fail("trailing data after final chunk");
      }
      return;
    }
    if (!more) {
      openFinalPiece(candidates * SEALED_CHUNK, data - candidates * SEALED_CHUNK);
      return;
    }
    sealed[0] = sealed[n - 1];
    carried = 1;
  }

  private void openFinalPiece(int at, int length) {
    if (length < SEALED_CHUNK) {
      if (index > 0 && length == ChaChaPoly.TAG_SIZE) {
        fail("final chunk " + index + " is empty");
        return;
      }
      openLast(at, length, limit);
      return;
    }
    int opened = stream.open(index, sealed, at, length, plain, limit, false);
    if (opened >= 0) {
      limit += opened;
      index++;
      // No data follows: the next fill reports the missing final chunk.
      return;
    }
    openLast(at, length, limit);
  }

  /** Opens a final chunk into plain[outAt]; on failure records the error and returns false. */
  private boolean openLast(int at, int length, int outAt) {
    int opened = stream.open(index, sealed, at, length, plain, outAt, true);
    if (opened < 0) {
      fail("chunk " + index + " failed authentication");
      return false;
    }
    limit = outAt + opened;
    index++;
    finished = true;
    return true;
  }

  private void fail(String reason) {
    failure = new PayloadException("failed to decrypt payload: " + reason);
    finished = true;
  }

  private void grow() {
    int chunks = plain.length / CHUNK;
    if (chunks < Stream.MAX_BATCH_CHUNKS) {
      chunks = Math.min(Stream.MAX_BATCH_CHUNKS, chunks * 2);
      sealed = Arrays.copyOf(sealed, chunks * SEALED_CHUNK + 1);
      plain = new byte[chunks * CHUNK];
      buffer = plain;
    }
  }
}
