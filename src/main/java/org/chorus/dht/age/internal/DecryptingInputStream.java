package org.chorus.dht.age.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.chorus.dht.age.PayloadException;

/**
 * Decrypts an age payload. Only authenticated chunks are handed out; a damaged, truncated or
 * over-long payload ends in a {@link PayloadException} (after the chunks that did authenticate),
 * never in a quiet end of stream. Not thread-safe, like any {@link InputStream}.
 */
public final class DecryptingInputStream extends InputStream {

  private final InputStream in;
  private final Stream stream;
  private final byte[] sealed = new byte[Stream.ENCRYPTED_CHUNK_SIZE];
  private final byte[] plain = new byte[Stream.CHUNK_SIZE];
  private int pos;
  private int limit;
  private boolean lastOpened;
  private PayloadException pending;

  /** Reads the payload that follows the nonce from {@code in}. */
  public DecryptingInputStream(InputStream in, byte[] fileKey, byte[] payloadNonce) {
    this.in = in;
    this.stream = new Stream(fileKey, payloadNonce);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (pos == limit) {
      if (pending != null) {
        throw pending;
      }
      if (lastOpened) {
        return -1;
      }
      readChunk();
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(plain, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void readChunk() throws IOException {
    int n = in.readNBytes(sealed, 0, sealed.length);
    long index = stream.chunks();
    if (n == 0) {
      throw fail("failed to decrypt payload: truncated (missing final chunk " + index + ")");
    }
    pos = 0;
    if (n < sealed.length) {
      if (index > 0 && n == ChaChaPoly.TAG_SIZE) {
        throw fail("failed to decrypt payload: final chunk " + index + " is empty");
      }
      limit = openOrFail(n, true, index);
      lastOpened = true;
      return;
    }
    int opened = stream.open(sealed, 0, n, plain, 0, false);
    if (opened >= 0) {
      limit = opened;
      return;
    }
    limit = openOrFail(n, true, index);
    lastOpened = true;
    if (in.read() >= 0) {
      // Hand out the authenticated final chunk first, then report the trailing data.
      pending = new PayloadException("failed to decrypt payload: trailing data after final chunk");
    }
  }

  private int openOrFail(int n, boolean last, long index) throws PayloadException {
    int opened = stream.open(sealed, 0, n, plain, 0, last);
    if (opened < 0) {
      throw fail("failed to decrypt payload: chunk " + index + " failed authentication");
    }
    return opened;
  }

  private PayloadException fail(String message) {
    pending = new PayloadException(message);
    limit = 0;
    pos = 0;
    return pending;
  }
}
