package org.chorus.dht.kad.rpc;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.chorus.dht.kad.wire.KadCodec;
import org.chorus.dht.kad.wire.KadMessage;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.kad.wire.KadRecord;
import org.chorus.dht.kad.wire.KadWireException;
import org.chorus.dht.p2p.core.LengthPrefixed;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.host.Host;

/**
 * Outbound kad RPCs: one fresh stream per request, like js kad-dht. Each call opens a stream to the
 * peer through the {@link Host} (dialling a known address if needed), writes one request, reads one
 * response within the timeout (which covers opening the stream too), then half-closes; on timeout
 * or error the stream is reset. Results are {@link KadResult} values, never exceptions.
 *
 * <p>Thread-safe and non-blocking.
 */
public final class KadMessenger {
  /** The answer to GET_VALUE: the record if the peer had one, and closer peers. */
  public record ValueReply(Optional<KadRecord> record, List<KadPeer> closerPeers) {}

  /** The answer to GET_PROVIDERS. */
  public record ProvidersReply(List<KadPeer> providers, List<KadPeer> closerPeers) {}

  private final Host host;
  private final ProtocolId protocol;
  private final Duration timeout;
  private final RpcTimer timer;

  public KadMessenger(Host host, ProtocolId protocol, Duration timeout, RpcTimer timer) {
    this.host = host;
    this.protocol = protocol;
    this.timeout = timeout;
    this.timer = timer;
  }

  public KadMessenger(Host host, ProtocolId protocol, Duration timeout) {
    this(host, protocol, timeout, RpcTimer.SYSTEM);
  }

  public KadMessenger(Host host, ProtocolId protocol) {
    this(host, protocol, KadRpc.DEFAULT_TIMEOUT);
  }

  public ProtocolId protocol() {
    return protocol;
  }

  /**
   * PUT_VALUE: Ok with the echoed record if the peer echoed the request with the same key and
   * value; Failed if it reset the stream (refused) or echoed something else.
   */
  public CompletableFuture<KadResult<KadRecord>> putValue(PeerId peer, KadRecord record) {
    return put(peer, record)
        .thenApply(
            r -> {
              if (!(r instanceof KadResult.Ok<PutReply> ok)) {
                return r.map(m -> null);
              }
              if (!ok.value().stored()) {
                return new KadResult.Failed<>("failed to put value: the echo does not match");
              }
              return new KadResult.Ok<>(record);
            });
  }

  /**
   * What a peer answered to PUT_VALUE.
   *
   * @param stored the answer echoed the record: the peer stored it
   * @param held the record the peer answered with instead (it holds a newer one, or another one of
   *     the same version), when it answered so
   */
  public record PutReply(boolean stored, Optional<KadRecord> held) {}

  /**
   * PUT_VALUE, telling a stored record (echoed) from a refusal that names what the peer holds (a
   * record of the same key with another value); any other answer is {@link KadResult.Failed}.
   */
  public CompletableFuture<KadResult<PutReply>> put(PeerId peer, KadRecord record) {
    return request(peer, KadMessage.putValue(record))
        .thenApply(
            r -> {
              if (!(r instanceof KadResult.Ok<KadMessage> ok)) {
                return r.map(m -> null);
              }
              Optional<KadRecord> echo = ok.value().record();
              if (echo.isEmpty() || !Arrays.equals(echo.get().key(), record.key())) {
                return new KadResult.Failed<>("failed to put value: the echo does not match");
              }
              if (Arrays.equals(echo.get().value(), record.value())) {
                return new KadResult.Ok<>(new PutReply(true, Optional.empty()));
              }
              return new KadResult.Ok<>(new PutReply(false, Optional.of(echo.get())));
            });
  }

  /** GET_VALUE for {@code key}; a returned record for another key is dropped (as js does). */
  public CompletableFuture<KadResult<ValueReply>> getValue(PeerId peer, byte[] key) {
    return request(peer, KadMessage.request(KadMessage.Type.GET_VALUE, key))
        .thenApply(
            r ->
                r.map(
                    m ->
                        new ValueReply(
                            m.record().filter(rec -> Arrays.equals(rec.key(), key)),
                            m.closerPeers())));
  }

  /** FIND_NODE: the peer's closer peers to {@code key} (usually a peer id multihash). */
  public CompletableFuture<KadResult<List<KadPeer>>> findNode(PeerId peer, byte[] key) {
    return request(peer, KadMessage.request(KadMessage.Type.FIND_NODE, key))
        .thenApply(r -> r.map(KadMessage::closerPeers));
  }

  /** GET_PROVIDERS for a multihash. */
  public CompletableFuture<KadResult<ProvidersReply>> getProviders(PeerId peer, byte[] multihash) {
    return request(peer, KadMessage.request(KadMessage.Type.GET_PROVIDERS, multihash))
        .thenApply(r -> r.map(m -> new ProvidersReply(m.providerPeers(), m.closerPeers())));
  }

  /**
   * ADD_PROVIDER: announces {@code self} (our id and addresses) as a provider of {@code multihash}.
   * There is no answer; Ok once the request was written.
   */
  public CompletableFuture<KadResult<Void>> addProvider(
      PeerId peer, byte[] multihash, KadPeer self) {
    return exchange(peer, KadCodec.encode(KadMessage.addProvider(multihash, self)), false)
        .thenApply(r -> r.map(m -> null));
  }

  /** kad PING (echoed); Ok with the round-trip time. */
  public CompletableFuture<KadResult<Duration>> ping(PeerId peer) {
    long start = System.nanoTime();
    return request(peer, KadMessage.request(KadMessage.Type.PING, new byte[0]))
        .thenApply(r -> r.map(m -> Duration.ofNanos(System.nanoTime() - start)));
  }

  /** Sends {@code request} and returns the decoded response, which must be of the same type. */
  public CompletableFuture<KadResult<KadMessage>> request(PeerId peer, KadMessage request) {
    byte[] encoded;
    try {
      encoded = KadCodec.encode(request);
    } catch (KadWireException e) {
      return CompletableFuture.completedFuture(new KadResult.Failed<>(e.getMessage()));
    }
    return exchange(peer, encoded, true)
        .thenApply(
            r -> {
              if (r instanceof KadResult.Ok<KadMessage> ok && ok.value().type() != request.type()) {
                return new KadResult.Failed<>(
                    "failed to " + request.type() + ": answer of type " + ok.value().type());
              }
              return r;
            });
  }

  private CompletableFuture<KadResult<KadMessage>> exchange(
      PeerId peer, byte[] encoded, boolean expectResponse) {
    CompletableFuture<KadResult<KadMessage>> result = new CompletableFuture<>();
    AtomicReference<Stream> opened = new AtomicReference<>();
    timer.schedule(
        timeout,
        () -> {
          if (result.complete(new KadResult.Timeout<>())) {
            Stream s = opened.get();
            if (s != null) {
              s.reset();
            }
          }
        });
    host.newStream(peer, List.of(protocol))
        .whenComplete(
            (stream, err) -> {
              if (err != null) {
                result.complete(
                    new KadResult.Failed<>("failed to open " + protocol + ": " + rootMessage(err)));
                return;
              }
              opened.set(stream);
              if (result.isDone()) { // timed out meanwhile
                stream.reset();
                return;
              }
              if (expectResponse) {
                stream.setListener(
                    LengthPrefixed.listener(KadCodec.MAX_MESSAGE, new ResponseReader(result)));
              }
              LengthPrefixed.write(stream, encoded)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          if (result.complete(
                              new KadResult.Failed<>(
                                  "failed to send request: " + rootMessage(e)))) {
                            stream.reset();
                          }
                        } else if (!expectResponse) {
                          stream.closeWrite();
                          result.complete(new KadResult.Ok<>(null));
                        }
                      });
            });
    return result;
  }

  /** Completes {@code result} with the first message on the stream, then half-closes. */
  private record ResponseReader(CompletableFuture<KadResult<KadMessage>> result)
      implements LengthPrefixed.Handler {
    @Override
    public void onMessage(Stream stream, byte[] message) {
      KadResult<KadMessage> r;
      try {
        r = new KadResult.Ok<>(KadCodec.decode(message));
      } catch (KadWireException e) {
        r = new KadResult.Failed<>(e.getMessage());
      }
      if (result.complete(r) && r.isOk()) {
        stream.closeWrite();
      } else {
        stream.reset();
      }
    }

    @Override
    public void onEnd(Stream stream, boolean clean) {
      result.complete(new KadResult.Failed<>("failed to read answer: stream closed without one"));
    }

    @Override
    public void onError(Stream stream, Throwable cause) {
      result.complete(new KadResult.Failed<>("failed to read answer: " + rootMessage(cause)));
    }
  }

  private static String rootMessage(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
