package org.chorus.dht.p2p.protocol.identify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.core.StreamListener;
import org.chorus.dht.p2p.crypto.PublicKeys;

/**
 * {@code /ipfs/id/1.0.0}: the responder writes one message and closes its write side (js reads
 * until EOF); the requester reads until EOF, merges, and checks that the public key belongs to the
 * connection's peer. {@code /ipfs/id/push/1.0.0} (identify/README.md#identifypush) turns it round:
 * a peer whose protocols or addresses changed opens a stream, writes the same message and closes;
 * the receiver reads until EOF (within a timeout) and hands the result on. Thread-safe.
 */
public final class Identify {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/ipfs/id/1.0.0");
  public static final ProtocolId PUSH_PROTOCOL = ProtocolId.of("/ipfs/id/push/1.0.0");

  /** What we tell peers about ourselves; read at the time of each request. */
  public record Local(
      byte[] publicKey,
      String protocolVersion,
      String agentVersion,
      Supplier<List<Multiaddr>> listenAddrs,
      Supplier<List<String>> protocols) {}

  private final Local local;

  public Identify(Local local) {
    this.local = local;
  }

  /** The responder. */
  public StreamHandler handler() {
    return stream -> {
      stream.setListener((s, data) -> {}); // requests carry no data
      stream.write(message(stream.connection()));
      stream.closeWrite();
    };
  }

  private byte[] message(Connection conn) {
    return IdentifyCodec.encode(
        local.publicKey(),
        local.protocolVersion(),
        local.agentVersion(),
        local.listenAddrs().get(),
        Optional.of(conn.remoteAddress().withoutPeerId()),
        local.protocols().get());
  }

  /**
   * Pushes our current identify message to the peer of {@code conn}; completes when the peer has
   * closed the stream too, fails if it does not support the push protocol or within {@code
   * timeout}.
   */
  public CompletableFuture<Void> push(Connection conn, Duration timeout) {
    return conn.newStream(PUSH_PROTOCOL)
        .thenCompose(
            stream -> {
              CompletableFuture<Void> done = new CompletableFuture<>();
              stream.setListener(
                  new StreamListener() {
                    @Override
                    public void onData(Stream s, byte[] data) {} // the receiver sends nothing

                    @Override
                    public void onRemoteClose(Stream s) {
                      done.complete(null);
                    }

                    @Override
                    public void onReset(Stream s, Throwable cause) {
                      done.completeExceptionally(cause);
                    }
                  });
              stream.write(message(conn));
              stream.closeWrite();
              return done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          stream.reset();
                        }
                      });
            });
  }

  /**
   * The receiver of identify pushes: reads to EOF (at most {@code timeout}), checks that a public
   * key, if sent, is the connection peer's, and calls {@code onPush} with the merged message (its
   * {@code observedAddr} is ignored by convention). A bad push resets the stream and is dropped.
   */
  public static StreamHandler pushHandler(
      Duration timeout, BiConsumer<Connection, IdentifyInfo> onPush) {
    return stream -> {
      CompletableFuture<IdentifyInfo> result =
          readToEof(
              stream,
              codec -> {
                IdentifyInfo info = codec.finishPush();
                if (info.publicKey().length > 0
                    && !PublicKeys.decode(info.publicKey()).peerId().equals(stream.remotePeer())) {
                  throw ProtocolException.stream("identify push: public key of another peer");
                }
                return info;
              });
      result
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (info, e) -> {
                if (e != null) {
                  stream.reset();
                  return;
                }
                stream.closeWrite();
                onPush.accept(stream.connection(), info);
              });
    };
  }

  /** Asks the peer of {@code conn} who it is. */
  public static CompletableFuture<IdentifyInfo> request(Connection conn, Duration timeout) {
    PeerId expected = conn.remotePeer();
    return conn.newStream(PROTOCOL)
        .thenCompose(
            stream -> {
              CompletableFuture<IdentifyInfo> result =
                  readToEof(
                      stream,
                      codec -> {
                        IdentifyInfo info = codec.finish();
                        PeerId claimed = PublicKeys.decode(info.publicKey()).peerId();
                        if (!claimed.equals(expected)) {
                          throw ProtocolException.stream(
                              "identify: public key of "
                                  + claimed
                                  + " on connection to "
                                  + expected);
                        }
                        return info;
                      });
              stream.closeWrite();
              return result
                  .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          stream.reset();
                        }
                      });
            });
  }

  /**
   * Feeds what {@code stream} receives to a fresh codec and, when the remote closes its side,
   * completes with {@code finish} applied to it; a protocol error, a failed check in {@code finish}
   * or a reset completes exceptionally (the caller resets the stream then).
   */
  private static CompletableFuture<IdentifyInfo> readToEof(
      Stream stream, Function<IdentifyCodec, IdentifyInfo> finish) {
    CompletableFuture<IdentifyInfo> result = new CompletableFuture<>();
    IdentifyCodec codec = new IdentifyCodec();
    stream.setListener(
        new StreamListener() {
          @Override
          public void onData(Stream s, byte[] data) {
            try {
              codec.feed(data);
            } catch (ProtocolException e) {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onRemoteClose(Stream s) {
            try {
              result.complete(finish.apply(codec));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onReset(Stream s, Throwable cause) {
            result.completeExceptionally(cause);
          }
        });
    return result;
  }
}
