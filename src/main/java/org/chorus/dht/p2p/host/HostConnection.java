package org.chorus.dht.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.Connection;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.protocol.identify.IdentifyInfo;
import org.chorus.dht.p2p.upgrade.MultiplexedConnection;

/** A host's connection: the upgraded channel plus bookkeeping. Thread-safe. */
final class HostConnection implements Connection {
  private final Host host;
  private final MultiplexedConnection mc;
  private final Direction direction;
  private final Multiaddr localAddress;
  private final Multiaddr remoteAddress;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  final CompletableFuture<IdentifyInfo> identified = new CompletableFuture<>();

  HostConnection(
      Host host,
      MultiplexedConnection mc,
      Direction direction,
      Multiaddr localAddress,
      Multiaddr remoteAddress) {
    this.host = host;
    this.mc = mc;
    this.direction = direction;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    channel().closeFuture().addListener(f -> closeFuture.complete(null));
  }

  Channel channel() {
    return mc.secured().channel();
  }

  EventLoop eventLoop() {
    return channel().eventLoop();
  }

  int maxPendingStreamBytes() {
    return host.config().maxPendingStreamBytes();
  }

  @Override
  public PeerId localPeer() {
    return host.peerId();
  }

  @Override
  public PeerId remotePeer() {
    return mc.secured().remotePeer();
  }

  @Override
  public byte[] remotePublicKey() {
    return mc.secured().remotePublicKey().clone();
  }

  @Override
  public Multiaddr localAddress() {
    return localAddress;
  }

  @Override
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public ProtocolId security() {
    return mc.secured().security();
  }

  @Override
  public ProtocolId muxer() {
    return mc.muxer();
  }

  @Override
  public CompletableFuture<Stream> newStream(List<ProtocolId> protocols) {
    return mc.session()
        .openStream()
        .thenCompose(
            raw ->
                StreamNegotiation.initiate(
                    raw, this, protocols, host.config().negotiationTimeout()))
        .thenApply(s -> (Stream) s);
  }

  @Override
  public int streamCount() {
    return mc.session().streamCount();
  }

  @Override
  public boolean isOpen() {
    return channel().isActive();
  }

  @Override
  public CompletableFuture<Void> close() {
    mc.session().close();
    return closeFuture;
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  /** Completes when identify with the peer has finished. */
  CompletableFuture<IdentifyInfo> identified() {
    return identified;
  }

  @Override
  public String toString() {
    return "Connection[" + direction + " " + remotePeer() + " at " + remoteAddress + "]";
  }
}
