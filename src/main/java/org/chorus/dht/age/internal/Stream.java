package org.chorus.dht.age.internal;

import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age STREAM construction (C2SP age, "Payload"): ChaCha20-Poly1305 over 64 KiB chunks with an
 * 11-byte big-endian chunk counter and a last-chunk flag as the nonce.
 *
 * <p>Chunks are independent given their index, so a batch of chunks is sealed or opened on all
 * cores: the calling thread and pool threads take chunks from a shared counter, and the caller
 * waits only for chunks already taken. Thread-safe: each thread uses its own {@link Cipher}.
 */
public final class Stream {

  /** Plaintext bytes per chunk. */
  public static final int CHUNK_SIZE = 64 * 1024;

  /** Ciphertext bytes per full chunk. */
  public static final int ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + ChaChaPoly.TAG_SIZE;

  /** Size of the random nonce that precedes the payload and salts the payload key. */
  public static final int NONCE_SIZE = 16;

  /** Chunks per batch, at most: 1 MiB of plaintext, so two streams' buffers stay small. */
  public static final int MAX_BATCH_CHUNKS = 16;

  private static final int PARALLELISM = Runtime.getRuntime().availableProcessors();
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(ChaChaPoly::newCipher);
  private static final ExecutorService POOL =
      PARALLELISM < 2
          ? null
          : Executors.newFixedThreadPool(
              PARALLELISM - 1,
              r -> {
                Thread t = new Thread(r, "age-stream");
                t.setDaemon(true);
                return t;
              });

  private final SecretKeySpec key;

  /** A stream keyed with HKDF(fileKey, payloadNonce, "payload"). */
  public Stream(byte[] fileKey, byte[] payloadNonce) {
    this.key = new SecretKeySpec(Hkdf.sha256(fileKey, payloadNonce, "payload", 32), "ChaCha20");
  }

  /**
   * Seals one chunk of {@code len} bytes into {@code out} (which needs {@code len + 16} bytes).
   *
   * @return the ciphertext length
   */
  public int seal(long index, byte[] in, int off, int len, byte[] out, int outOff, boolean last) {
    try {
      Cipher cipher = CIPHERS.get();
      ChaChaPoly.init(cipher, Cipher.ENCRYPT_MODE, key, nonce(index, last));
      return cipher.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to seal chunk " + index + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens one chunk into {@code out}; nothing is written unless the tag verifies.
   *
   * @return the plaintext length, or -1 if the chunk does not authenticate with this flag
   */
  public int open(long index, byte[] in, int off, int len, byte[] out, int outOff, boolean last) {
    if (len < ChaChaPoly.TAG_SIZE) {
      return -1;
    }
    try {
      Cipher cipher = CIPHERS.get();
      ChaChaPoly.init(cipher, Cipher.DECRYPT_MODE, key, nonce(index, last));
      return cipher.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      return -1;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("failed to open chunk " + index + ": " + e.getMessage(), e);
    }
  }

  /**
   * Seals {@code count} full, non-last chunks: plaintext chunk i at {@code in[off + i * 64 KiB]},
   * ciphertext at {@code out[i * (64 KiB + 16)]}, indexes from {@code firstIndex}.
   */
  public void sealFull(long firstIndex, int count, byte[] in, int off, byte[] out) {
    forEach(
        count,
        i -> {
          seal(
              firstIndex + i,
              in,
              off + i * CHUNK_SIZE,
              CHUNK_SIZE,
              out,
              i * ENCRYPTED_CHUNK_SIZE,
              false);
          return true;
        });
  }

  /**
   * Opens {@code count} full chunks as non-last chunks, laid out as {@link #sealFull} writes them.
   *
   * @return how many chunks, from the first, authenticated (the rest are unspecified)
   */
  public int openFull(long firstIndex, int count, byte[] in, byte[] out) {
    boolean[] ok = new boolean[count];
    forEach(
        count,
        i ->
            ok[i] =
                open(
                        firstIndex + i,
                        in,
                        i * ENCRYPTED_CHUNK_SIZE,
                        ENCRYPTED_CHUNK_SIZE,
                        out,
                        i * CHUNK_SIZE,
                        false)
                    >= 0);
    int good = 0;
    while (good < count && ok[good]) {
      good++;
    }
    return good;
  }

  private interface ChunkTask {
    boolean run(int index);
  }

  /** Runs the task for 0..count-1 on the caller and, for two or more, on the pool too. */
  private static void forEach(int count, ChunkTask task) {
    if (POOL == null || count < 2) {
      for (int i = 0; i < count; i++) {
        task.run(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Runnable worker =
        () -> {
          int i;
          while ((i = next.getAndIncrement()) < count) {
            try {
              task.run(i);
            } catch (RuntimeException e) {
              failure.compareAndSet(null, e);
            } finally {
              synchronized (done) {
                if (done.incrementAndGet() == count) {
                  done.notifyAll();
                }
              }
            }
          }
        };
    for (int h = 0; h < Math.min(PARALLELISM - 1, count - 1); h++) {
      POOL.execute(worker);
    }
    worker.run();
    boolean interrupted = false;
    synchronized (done) {
      // Wait even when interrupted: workers still write into the caller's buffers.
      while (done.get() < count) {
        try {
          done.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private static IvParameterSpec nonce(long index, boolean last) {
    byte[] nonce = new byte[12];
    for (int i = 0; i < 8; i++) {
      nonce[10 - i] = (byte) (index >>> (8 * i));
    }
    nonce[11] = (byte) (last ? 1 : 0);
    return new IvParameterSpec(nonce);
  }
}
