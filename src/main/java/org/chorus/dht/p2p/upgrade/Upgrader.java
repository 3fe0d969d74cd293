package org.chorus.dht.p2p.upgrade;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.multistream.MultistreamHandler;
import org.chorus.dht.p2p.multistream.MultistreamNegotiator;
import org.chorus.dht.p2p.mux.MuxedSession;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.mux.yamux.YamuxSession;
import org.chorus.dht.p2p.pnet.PnetProtector;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.p2p.security.noise.NoiseHandshakeHandler;
import org.chorus.dht.p2p.security.noise.NoisePayload;
import org.chorus.dht.p2p.security.noise.NoiseSecurity;
import org.chorus.dht.p2p.security.noise.NoiseTransportCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection upgrade in typed stages (connections/README.md#upgrading-connections): {@link
 * RawConnection} → ({@code /noise}) → {@link SecuredConnection} → ({@code /yamux/1.0.0}) → {@link
 * MultiplexedConnection}. Each stage is negotiated with multistream-select and installs the next
 * one synchronously on the event loop, so bytes the peer sent early go to the right handler. A
 * failure closes the channel and reports the reason, once per stage.
 *
 * <p>With a swarm key, {@link #secure} first puts a {@link PnetProtector} at the head of the
 * pipeline (pnet/Private-Networks-PSK-V1.md): everything after it, from the first multistream
 * message on, is XSalsa20-encrypted, and a peer without that key is refused ({@link Stage#refused})
 * before anything is negotiated, counted in {@link #privateNetworkRefused()} and logged at debug.
 *
 * <p>Thread-safe: immutable config and an atomic counter.
 */
public final class Upgrader {
  private static final Logger LOG = LoggerFactory.getLogger(Upgrader.class);

  /** Receives the result of a stage, on the channel's event loop; at most one call per stage. */
  public interface Stage<T> {
    /** Called inside the pipeline; install the next stage from here, synchronously. */
    void completed(T value);

    void failed(String reason);

    /**
     * The private network protector refused the peer (another swarm key, or none) and closed the
     * connection; the upgrader has counted and logged it. By default a failure like any other.
     */
    default void refused(String reason) {
      failed(reason);
    }
  }

  /** Pipeline name of the Noise transport codec; the muxer stage goes right after it. */
  public static final String NOISE = "noise";

  /** Pipeline name of the private network protector, first in the pipeline. */
  public static final String PNET = "pnet";

  private final NoiseSecurity noise;
  private final YamuxConfig yamux;
  private final Duration timeout;
  private final Optional<SwarmKey> swarmKey;
  private final LongAdder privateNetworkRefused = new LongAdder();

  /**
   * @param swarmKey when present, every connection is protected with it before anything is
   *     negotiated
   */
  public Upgrader(
      NoiseSecurity noise,
      YamuxConfig yamux,
      Duration negotiationTimeout,
      Optional<SwarmKey> swarmKey) {
    this.noise = noise;
    this.yamux = yamux;
    this.timeout = negotiationTimeout;
    this.swarmKey = swarmKey;
  }

  /** Connections the private network protector refused so far (0 without a swarm key). */
  public long privateNetworkRefused() {
    return privateNetworkRefused.sum();
  }

  /**
   * Protects the connection with the swarm key if there is one, negotiates {@code /noise} and runs
   * the handshake; checks the peer id if one is expected.
   */
  public void secure(RawConnection raw, Optional<PeerId> expected, Stage<SecuredConnection> next) {
    secure(raw, expected, NoiseHandshakeHandler.PeerCheck.ANY, next);
  }

  /**
   * As {@link #secure(RawConnection, Optional, Stage)}, and {@code check} decides on the proven
   * remote peer inside the handshake (a refusal fails this stage).
   */
  public void secure(
      RawConnection raw,
      Optional<PeerId> expected,
      NoiseHandshakeHandler.PeerCheck check,
      Stage<SecuredConnection> stage) {
    Stage<SecuredConnection> next = new Once<>(stage);
    swarmKey.ifPresent(key -> protect(raw, key, next));
    MultistreamNegotiator neg =
        raw.initiator()
            ? MultistreamNegotiator.initiator(List.of(NoiseSecurity.PROTOCOL))
            : MultistreamNegotiator.responder(Set.of(NoiseSecurity.PROTOCOL));
    raw.channel()
        .pipeline()
        .addLast(
            "multistream-security",
            new MultistreamHandler(
                neg,
                timeout,
                new MultistreamHandler.Listener() {
                  @Override
                  public void selected(ChannelHandlerContext ctx, ProtocolId protocol) {
                    ctx.pipeline()
                        .addAfter(
                            ctx.name(),
                            "noise-handshake",
                            new NoiseHandshakeHandler(
                                noise, raw.initiator(), expected, check, noiseListener(raw, next)));
                  }

                  @Override
                  public void failed(ChannelHandlerContext ctx, String reason) {
                    fail(ctx, reason, next);
                  }
                }));
  }

  private NoiseHandshakeHandler.Listener noiseListener(
      RawConnection raw, Stage<SecuredConnection> next) {
    return new NoiseHandshakeHandler.Listener() {
      @Override
      public void secured(
          ChannelHandlerContext ctx, NoiseTransportCodec codec, NoisePayload.Verified remote) {
        ctx.pipeline().addAfter(ctx.name(), NOISE, codec);
        next.completed(
            new SecuredConnection(
                raw.channel(),
                raw.initiator(),
                remote.peerId(),
                remote.publicKeyProtobuf(),
                NoiseSecurity.PROTOCOL));
      }

      @Override
      public void failed(ChannelHandlerContext ctx, String reason) {
        fail(ctx, reason, next);
      }
    };
  }

  /**
   * Puts the protector first in the pipeline; it sends our nonce at once if the channel is already
   * active (an accepted one), else when it becomes active, before the multistream header.
   */
  private void protect(RawConnection raw, SwarmKey key, Stage<SecuredConnection> next) {
    raw.channel()
        .pipeline()
        .addFirst(
            PNET,
            new PnetProtector(
                key,
                MultistreamNegotiator.headerMessage(),
                PnetProtector.DEFAULT_HANDSHAKE_TIMEOUT,
                (ctx, reason) -> {
                  privateNetworkRefused.increment();
                  LOG.debug(
                      "connection with {} refused: {}", ctx.channel().remoteAddress(), reason);
                  next.refused(reason);
                }));
  }

  /** Negotiates {@code /yamux/1.0.0} on a secured connection and starts the session. */
  public void multiplex(
      SecuredConnection secured, MuxedSession.Listener streams, Stage<MultiplexedConnection> next) {
    multiplex(secured, MemoryBudget.unlimited(), () -> {}, streams, next);
  }

  /**
   * As {@link #multiplex(SecuredConnection, MuxedSession.Listener, Stage)}, the session drawing on
   * {@code memory} (the connection's budget) and reporting each inbound stream it refuses over
   * {@code yamux.maxStreams} to {@code onStreamRefused}.
   */
  public void multiplex(
      SecuredConnection secured,
      MemoryBudget memory,
      Runnable onStreamRefused,
      MuxedSession.Listener streams,
      Stage<MultiplexedConnection> stage) {
    Stage<MultiplexedConnection> next = new Once<>(stage);
    MultistreamNegotiator neg =
        secured.initiator()
            ? MultistreamNegotiator.initiator(List.of(YamuxSession.PROTOCOL))
            : MultistreamNegotiator.responder(Set.of(YamuxSession.PROTOCOL));
    secured
        .channel()
        .pipeline()
        .addAfter(
            NOISE,
            "multistream-muxer",
            new MultistreamHandler(
                neg,
                timeout,
                new MultistreamHandler.Listener() {
                  @Override
                  public void selected(ChannelHandlerContext ctx, ProtocolId protocol) {
                    YamuxSession session =
                        new YamuxSession(
                            yamux, secured.initiator(), streams, memory, onStreamRefused);
                    ctx.pipeline().addAfter(ctx.name(), "yamux", session);
                    next.completed(new MultiplexedConnection(secured, session, protocol));
                  }

                  @Override
                  public void failed(ChannelHandlerContext ctx, String reason) {
                    fail(ctx, reason, next);
                  }
                }));
  }

  private static void fail(ChannelHandlerContext ctx, String reason, Stage<?> next) {
    ctx.close();
    next.failed(reason);
  }

  /**
   * Passes on only the first outcome of a stage: after a refusal by the protector, the handlers
   * behind it see the connection close and would report that too. Event-loop confined.
   */
  private static final class Once<T> implements Stage<T> {
    private final Stage<T> delegate;
    private boolean done;

    Once(Stage<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void completed(T value) {
      if (!done) {
        done = true;
        delegate.completed(value);
      }
    }

    @Override
    public void failed(String reason) {
      if (!done) {
        done = true;
        delegate.failed(reason);
      }
    }

    @Override
    public void refused(String reason) {
      if (!done) {
        done = true;
        delegate.refused(reason);
      }
    }
  }
}
