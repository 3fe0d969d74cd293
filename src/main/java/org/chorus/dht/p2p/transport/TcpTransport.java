package org.chorus.dht.p2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.chorus.dht.p2p.core.Multiaddr;

/**
 * TCP on Netty NIO for {@code /ip4|ip6|dns4|dns6/<host>/tcp/<port>} addresses. The {@code
 * initializer} given to {@link #dial} and {@link #listen} sets up each new channel's pipeline
 * before any byte is read. Thread-safe.
 */
public final class TcpTransport implements Transport {
  private final EventLoopGroup group;

  public TcpTransport(EventLoopGroup group) {
    this.group = group;
  }

  @Override
  public boolean canDial(Multiaddr addr) {
    return addr.toTcpSocketAddress().isPresent();
  }

  @Override
  public boolean handles(java.net.SocketAddress address) {
    return address instanceof InetSocketAddress;
  }

  @Override
  public Multiaddr toMultiaddr(java.net.SocketAddress address) {
    return Multiaddr.fromSocketAddress((InetSocketAddress) address);
  }

  @Override
  public ChannelFuture dial(
      Multiaddr addr, Duration connectTimeout, Consumer<Channel> initializer) {
    InetSocketAddress target =
        addr.toTcpSocketAddress()
            .orElseThrow(() -> new IllegalArgumentException("not a TCP address: " + addr));
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                initializer.accept(ch);
              }
            })
        .connect(target);
  }

  @Override
  public CompletableFuture<Listener> listen(Multiaddr addr, Consumer<Channel> initializer) {
    InetSocketAddress bindAddr =
        addr.toTcpSocketAddress()
            .orElseThrow(() -> new IllegalArgumentException("not a TCP address: " + addr));
    CompletableFuture<Listener> result = new CompletableFuture<>();
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initializer.accept(ch);
                  }
                });
    sb.bind(bindAddr)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                Channel server = f.channel();
                InetSocketAddress local = (InetSocketAddress) server.localAddress();
                // a wildcard bind reports the dual-stack wildcard (::) even for 0.0.0.0: keep the
                // family that was asked for, with the port the system chose
                if (local.getAddress().isAnyLocalAddress()
                    && bindAddr.getAddress() != null
                    && bindAddr.getAddress().isAnyLocalAddress()) {
                  local = new InetSocketAddress(bindAddr.getAddress(), local.getPort());
                }
                Multiaddr bound = Multiaddr.fromSocketAddress(local);
                result.complete(
                    new Listener() {
                      @Override
                      public Multiaddr address() {
                        return bound;
                      }

                      @Override
                      public CompletableFuture<Void> close() {
                        CompletableFuture<Void> c = new CompletableFuture<>();
                        server.close().addListener(x -> c.complete(null));
                        return c;
                      }
                    });
              } else {
                result.completeExceptionally(f.cause());
              }
            });
    return result;
  }
}
