package org.chorus.dht.p2p.upgrade;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.chorus.dht.p2p.core.MemoryBudget;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.multistream.MultistreamHandler;
import org.chorus.dht.p2p.multistream.MultistreamNegotiator;
import org.chorus.dht.p2p.mux.MuxedSession;
import org.chorus.dht.p2p.mux.yamux.YamuxConfig;
import org.chorus.dht.p2p.mux.yamux.YamuxSession;
import org.chorus.dht.p2p.security.noise.NoiseHandshakeHandler;
import org.chorus.dht.p2p.security.noise.NoisePayload;
import org.chorus.dht.p2p.security.noise.NoiseSecurity;
import org.chorus.dht.p2p.security.noise.NoiseTransportCodec;

/**
 * Connection upgrade in typed stages (connections/README.md#upgrading-connections): {@link
 * RawConnection} → ({@code /noise}) → {@link SecuredConnection} → ({@code /yamux/1.0.0}) → {@link
 * MultiplexedConnection}. Each stage is negotiated with multistream-select and installs the next
 * one synchronously on the event loop, so bytes the peer sent early go to the right handler. A
 * failure closes the channel and reports the reason. Thread-safe (holds only immutable config).
 */
public final class Upgrader {
  /** Receives the result of a stage, on the channel's event loop. */
  public interface Stage<T> {
    /** Called inside the pipeline; install the next stage from here, synchronously. */
    void completed(T value);

    void failed(String reason);
  }

  /** Pipeline name of the Noise transport codec; the muxer stage goes right after it. */
  public static final String NOISE = "noise";

  private final NoiseSecurity noise;
  private final YamuxConfig yamux;
  private final Duration timeout;

  public Upgrader(NoiseSecurity noise, YamuxConfig yamux, Duration negotiationTimeout) {
    this.noise = noise;
    this.yamux = yamux;
    this.timeout = negotiationTimeout;
  }

  /** Negotiates {@code /noise} and runs the handshake; checks the peer id if one is expected. */
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
      Stage<SecuredConnection> next) {
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
      Stage<MultiplexedConnection> next) {
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
}
