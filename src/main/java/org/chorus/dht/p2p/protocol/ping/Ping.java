package org.chorus.dht.p2p.protocol.ping;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.core.StreamListener;

/**
 * {@code /ipfs/ping/1.0.0} (ping/ping.md): the requester sends 32 random bytes and expects them
 * back; the responder echoes everything until the requester closes. Thread-safe.
 */
public final class Ping {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/ipfs/ping/1.0.0");
  public static final int SIZE = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ping() {}

  /** The responder: echoes bytes back; closes its side when the requester does. */
  public static StreamHandler handler() {
    return stream ->
        stream.setListener(
            new StreamListener() {
              @Override
              public void onData(Stream s, byte[] data) {
                s.write(data)
                    .whenComplete(
                        (v, e) -> {
                          if (e != null) {
                            s.reset();
                          }
                        });
              }

              @Override
              public void onRemoteClose(Stream s) {
                s.closeWrite();
              }
            });
  }

  /** One round trip on a new stream; completes with the round-trip time. */
  public static CompletableFuture<Duration> ping(Connection conn, Duration timeout) {
    return conn.newStream(PROTOCOL)
        .thenCompose(
            stream -> {
              byte[] payload = new byte[SIZE];
              RANDOM.nextBytes(payload);
              ByteArrayOutputStream got = new ByteArrayOutputStream();
              CompletableFuture<Duration> result = new CompletableFuture<>();
              long start = System.nanoTime();
              stream.setListener(
                  new StreamListener() {
                    @Override
                    public void onData(Stream s, byte[] data) {
                      if (got.size() + data.length > SIZE) {
                        result.completeExceptionally(
                            ProtocolException.stream("ping: echoed too many bytes"));
                        return;
                      }
                      got.writeBytes(data);
                      if (got.size() == SIZE) {
                        if (Arrays.equals(got.toByteArray(), payload)) {
                          result.complete(Duration.ofNanos(System.nanoTime() - start));
                        } else {
                          result.completeExceptionally(
                              ProtocolException.stream("ping: echo differs"));
                        }
                      }
                    }

                    @Override
                    public void onRemoteClose(Stream s) {
                      result.completeExceptionally(
                          ProtocolException.stream("ping: closed before echo"));
                    }

                    @Override
                    public void onReset(Stream s, Throwable cause) {
                      result.completeExceptionally(cause);
                    }
                  });
              stream.write(payload);
              return result
                  .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .whenComplete(
                      (v, e) -> {
                        if (e == null) {
                          stream.closeWrite();
                        } else {
                          stream.reset();
                        }
                      });
            });
  }
}
