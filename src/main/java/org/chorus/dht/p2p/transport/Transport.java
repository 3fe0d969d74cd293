package org.chorus.dht.p2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.chorus.dht.p2p.core.Multiaddr;

/** A way to reach peers: raw, unsecured channels from multiaddrs. Thread-safe. */
public interface Transport {
  /** A bound listener. */
  interface Listener {
    /** The bound address (the real port if 0 was asked for). */
    Multiaddr address();

    CompletableFuture<Void> close();
  }

  boolean canDial(Multiaddr addr);

  /** Whether channels of this transport have addresses like {@code address}. */
  boolean handles(java.net.SocketAddress address);

  /** The multiaddr of one of this transport's socket addresses. */
  Multiaddr toMultiaddr(java.net.SocketAddress address);

  /** Connects; {@code initializer} sets up the channel's pipeline before it becomes active. */
  ChannelFuture dial(Multiaddr addr, Duration connectTimeout, Consumer<Channel> initializer);

  /** Binds; {@code initializer} runs for every accepted channel before it is read. */
  CompletableFuture<Listener> listen(Multiaddr addr, Consumer<Channel> initializer);
}
