package org.chorus.dht.p2p.testing;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamListener;

/** Collects everything a stream receives until the peer closes its side. */
public final class StreamCollector implements StreamListener {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> done = new CompletableFuture<>();

  public static StreamCollector on(Stream s) {
    StreamCollector c = new StreamCollector();
    s.setListener(c);
    return c;
  }

  public CompletableFuture<byte[]> done() {
    return done;
  }

  @Override
  public synchronized void onData(Stream stream, byte[] data) {
    out.writeBytes(data);
  }

  @Override
  public synchronized void onRemoteClose(Stream stream) {
    done.complete(out.toByteArray());
  }

  @Override
  public void onReset(Stream stream, Throwable cause) {
    done.completeExceptionally(cause);
  }
}
