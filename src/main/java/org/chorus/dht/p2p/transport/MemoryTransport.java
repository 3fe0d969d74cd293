package org.chorus.dht.p2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.chorus.dht.p2p.core.Multiaddr;

/**
 * In-process transport for tests and simulation: {@code /memory/<n>} addresses on Netty's local
 * channels (no sockets, same upgrade as TCP). {@code /memory/0} picks a free number. The registry
 * of listeners is JVM-wide (Netty's). Thread-safe.
 */
public final class MemoryTransport implements Transport {
  private static final AtomicLong NEXT = new AtomicLong(1_000_000);
  private final EventLoopGroup group;

  /** {@code group} must be able to run local channels (a {@code LocalIoHandler} group). */
  public MemoryTransport(EventLoopGroup group) {
    this.group = group;
  }

  static Long number(Multiaddr addr) {
    Multiaddr base = addr.withoutPeerId();
    if (base.components().size() != 1
        || base.components().get(0).proto() != Multiaddr.Proto.MEMORY) {
      return null;
    }
    return Long.parseUnsignedLong(base.components().get(0).value());
  }

  private static LocalAddress local(long n) {
    return new LocalAddress("chorus-memory-" + Long.toUnsignedString(n));
  }

  @Override
  public boolean canDial(Multiaddr addr) {
    return number(addr) != null;
  }

  @Override
  public boolean handles(SocketAddress address) {
    return address instanceof LocalAddress;
  }

  @Override
  public Multiaddr toMultiaddr(SocketAddress address) {
    String id = ((LocalAddress) address).id();
    String prefix = "chorus-memory-";
    String n = id.startsWith(prefix) ? id.substring(prefix.length()) : "0";
    return Multiaddr.parse("/memory/" + n);
  }

  @Override
  public ChannelFuture dial(
      Multiaddr addr, Duration connectTimeout, Consumer<Channel> initializer) {
    return new Bootstrap()
        .group(group)
        .channel(LocalChannel.class)
        .handler(
            new ChannelInitializer<LocalChannel>() {
              @Override
              protected void initChannel(LocalChannel ch) {
                initializer.accept(ch);
              }
            })
        .connect(local(number(addr)));
  }

  @Override
  public CompletableFuture<Listener> listen(Multiaddr addr, Consumer<Channel> initializer) {
    long n = number(addr);
    long chosen = n == 0 ? NEXT.getAndIncrement() : n;
    CompletableFuture<Listener> result = new CompletableFuture<>();
    new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childHandler(
            new ChannelInitializer<LocalChannel>() {
              @Override
              protected void initChannel(LocalChannel ch) {
                initializer.accept(ch);
              }
            })
        .bind(local(chosen))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
              }
              Multiaddr bound = Multiaddr.parse("/memory/" + Long.toUnsignedString(chosen));
              result.complete(
                  new Listener() {
                    @Override
                    public Multiaddr address() {
                      return bound;
                    }

                    @Override
                    public CompletableFuture<Void> close() {
                      CompletableFuture<Void> c = new CompletableFuture<>();
                      f.channel().close().addListener(x -> c.complete(null));
                      return c;
                    }
                  });
            });
    return result;
  }
}
