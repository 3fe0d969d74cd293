package org.chorus.dht.p2p.testing;

import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamHandler;
import org.chorus.dht.p2p.core.StreamListener;

/** A test protocol that echoes every byte and half-closes when the peer does. */
public final class Echo {
  public static final ProtocolId PROTOCOL = ProtocolId.of("/chorus/test/echo/1.0.0");

  private Echo() {}

  public static StreamHandler handler() {
    return stream ->
        stream.setListener(
            new StreamListener() {
              @Override
              public void onData(Stream s, byte[] data) {
                s.write(data);
              }

              @Override
              public void onRemoteClose(Stream s) {
                s.closeWrite();
              }
            });
  }
}
