package org.chorus.dht.p2p.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.core.Stream;
import org.chorus.dht.p2p.core.StreamListener;
import org.chorus.dht.p2p.core.Varint;

/**
 * Drives the js peer's only echoing protocol: kad PUT_VALUE, which js answers with the request
 * message unchanged (for keys under {@code /CHORUS/}). Messages are varint length-prefixed.
 */
public final class KadEcho {
  public static final ProtocolId KAD = ProtocolId.of("/CHORUS/kad/1.0.0");

  private KadEcho() {}

  /** kad Message{type PUT_VALUE (0, not written), key=2, record=3 Record{key=1, value=2}}. */
  public static byte[] putValue(byte[] key, byte[] value) {
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    field(rec, 1, key);
    field(rec, 2, value);
    ByteArrayOutputStream msg = new ByteArrayOutputStream();
    field(msg, 2, key);
    field(msg, 3, rec.toByteArray());
    return msg.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
    out.writeBytes(Varint.encode((number << 3) | 2));
    out.writeBytes(Varint.encode(bytes.length));
    out.writeBytes(bytes);
  }

  /** Writes one length-prefixed message, reads one back, then half-closes. */
  public static CompletableFuture<byte[]> roundTrip(Stream s, byte[] message) {
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    s.setListener(
        new StreamListener() {
          @Override
          public void onData(Stream st, byte[] data) {
            got.writeBytes(data);
            if (got.size() < 4) {
              return;
            }
            byte[] all = got.toByteArray();
            ByteBuffer b = ByteBuffer.wrap(all, 0, Math.min(all.length, Varint.MAX_BYTES));
            long len = Varint.read(b);
            if (len >= 0 && all.length - b.position() >= len) {
              byte[] body = new byte[(int) len];
              System.arraycopy(all, b.position(), body, 0, (int) len);
              done.complete(body);
              st.closeWrite();
            }
          }

          @Override
          public void onRemoteClose(Stream st) {
            done.completeExceptionally(new IllegalStateException("closed after " + got.size()));
          }

          @Override
          public void onReset(Stream st, Throwable cause) {
            done.completeExceptionally(cause);
          }
        });
    s.write(Varint.encode(message.length));
    s.write(message);
    return done;
  }
}
