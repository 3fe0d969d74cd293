package org.chorus.dht.p2p.protocol.autonat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;

/**
 * AutoNAT v1, {@code /libp2p/autonat/1.0.0} (libp2p/specs autonat/README.md): the requester opens a
 * stream, sends one varint-prefixed {@code DIAL} with its id and addresses, and reads one {@code
 * DIAL_RESPONSE}. This class is the requester's side; {@link AutoNatServer} answers, and {@link
 * ReachabilityTracker} turns answers into a {@link Reachability}. Thread-safe (stateless).
 */
public final class AutoNat {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/libp2p/autonat/1.0.0");

  private AutoNat() {}

  /**
   * Asks the peer of {@code conn} to dial us back at {@code addrs}. Completes with its answer;
   * fails if the peer does not speak AutoNAT, breaks the protocol, or does not answer within {@code
   * timeout} (the stream is then reset).
   */
  public static CompletableFuture<AutoNatMessage.DialResponse> dialBack(
      Connection conn, List<Multiaddr> addrs, Duration timeout) {
    AutoNatMessage.Dial dial =
        new AutoNatMessage.Dial(
            Optional.of(conn.localPeer()), addrs.stream().map(Multiaddr::withoutPeerId).toList());
    return conn.newStream(PROTOCOL)
        .thenCompose(
            stream -> {
              CompletableFuture<AutoNatMessage.DialResponse> result = new CompletableFuture<>();
              stream.setListener(
                  LengthPrefixed.listener(
                      AutoNatCodec.MAX_MESSAGE,
                      new LengthPrefixed.Handler() {
                        @Override
                        public void onMessage(Stream s, byte[] message) {
                          try {
                            if (AutoNatCodec.decode(message)
                                instanceof AutoNatMessage.DialResponse r) {
                              result.complete(r);
                            } else {
                              throw ProtocolException.stream(
                                  "failed to read autonat response: got a DIAL");
                            }
                          } catch (ProtocolException e) {
                            result.completeExceptionally(e);
                          }
                        }

                        @Override
                        public void onEnd(Stream s, boolean clean) {
                          result.completeExceptionally(
                              ProtocolException.stream(
                                  "failed to read autonat response: closed before it"));
                        }

                        @Override
                        public void onError(Stream s, Throwable cause) {
                          result.completeExceptionally(cause);
                        }
                      }));
              LengthPrefixed.write(stream, AutoNatCodec.encode(dial))
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        }
                      });
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
