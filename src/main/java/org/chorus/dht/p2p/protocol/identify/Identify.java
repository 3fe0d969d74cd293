package org.chorus.dht.p2p.protocol.identify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * connection's peer. Thread-safe.
 */
public final class Identify {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/ipfs/id/1.0.0");

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
      Multiaddr observed = stream.connection().remoteAddress().withoutPeerId();
      byte[] msg =
          IdentifyCodec.encode(
              local.publicKey(),
              local.protocolVersion(),
              local.agentVersion(),
              local.listenAddrs().get(),
              Optional.of(observed),
              local.protocols().get());
      stream.write(msg);
      stream.closeWrite();
    };
  }

  /** Asks the peer of {@code conn} who it is. */
  public static CompletableFuture<IdentifyInfo> request(Connection conn, Duration timeout) {
    PeerId expected = conn.remotePeer();
    return conn.newStream(PROTOCOL)
        .thenCompose(
            stream -> {
              CompletableFuture<IdentifyInfo> result = new CompletableFuture<>();
              IdentifyCodec codec = new IdentifyCodec();
              stream.setListener(
                  new StreamListener() {
                    @Override
                    public void onData(Stream s, byte[] data) {
                      try {
                        codec.feed(data);
                      } catch (ProtocolException e) {
                        s.reset();
                        result.completeExceptionally(e);
                      }
                    }

                    @Override
                    public void onRemoteClose(Stream s) {
                      try {
                        IdentifyInfo info = codec.finish();
                        PeerId claimed = PublicKeys.decode(info.publicKey()).peerId();
                        if (!claimed.equals(expected)) {
                          throw ProtocolException.stream(
                              "identify: public key of "
                                  + claimed
                                  + " on connection to "
                                  + expected);
                        }
                        result.complete(info);
                      } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                      }
                    }

                    @Override
                    public void onReset(Stream s, Throwable cause) {
                      result.completeExceptionally(cause);
                    }
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
}
