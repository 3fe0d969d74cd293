package org.chorus.dht.kad.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.chorus.dht.kad.wire.pb.KadProto;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * kad {@code Message} protobuf ↔ {@link KadMessage}. The only class that sees the generated types.
 * Framing on a stream is {@code varint(len) || message} ({@link
 * org.chorus.dht.p2p.core.LengthPrefixed} with {@link #MAX_MESSAGE}).
 *
 * <p>Decoding is lenient where go-libp2p-kad-dht is (a peer entry with an unparsable id is dropped,
 * an unparsable address is dropped) and strict elsewhere: bytes that are not a {@code Message}, an
 * unknown type, or anything over {@link #MAX_MESSAGE} raise {@link KadWireException}. Stateless and
 * thread-safe.
 */
public final class KadCodec {
  /** DESIGN.md "Kademlia": 4 MiB per message, checked before parsing or allocating. */
  public static final int MAX_MESSAGE = 4 << 20;

  private KadCodec() {}

  public static byte[] encode(KadMessage m) {
    KadProto.Message.Builder b =
        KadProto.Message.newBuilder()
            .setTypeValue(m.type().ordinal())
            .setKey(ByteString.copyFrom(m.key()))
            .setClusterLevelRaw(m.clusterLevel());
    m.record().ifPresent(r -> b.setRecord(toProto(r)));
    m.closerPeers().forEach(p -> b.addCloserPeers(toProto(p)));
    m.providerPeers().forEach(p -> b.addProviderPeers(toProto(p)));
    byte[] out = b.build().toByteArray();
    if (out.length > MAX_MESSAGE) {
      throw new KadWireException(
          "failed to encode kad message: " + out.length + " bytes exceeds " + MAX_MESSAGE);
    }
    return out;
  }

  public static KadMessage decode(byte[] data) {
    if (data.length > MAX_MESSAGE) {
      throw new KadWireException(
          "failed to decode kad message: " + data.length + " bytes exceeds " + MAX_MESSAGE);
    }
    KadProto.Message pb;
    try {
      pb = KadProto.Message.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new KadWireException("failed to decode kad message: " + e.getMessage(), e);
    }
    int type = pb.getTypeValue();
    if (type < 0 || type >= KadMessage.Type.values().length) {
      throw new KadWireException("failed to decode kad message: unknown type " + type);
    }
    KadRecord record = pb.hasRecord() ? fromProto(pb.getRecord()) : null;
    return new KadMessage(
        KadMessage.Type.values()[type],
        pb.getKey().toByteArray(),
        record,
        peers(pb.getCloserPeersList()),
        peers(pb.getProviderPeersList()),
        pb.getClusterLevelRaw());
  }

  /** A libp2p {@code Record} on its own (e.g. for a store that keeps the wire bytes). */
  public static byte[] encodeRecord(KadRecord r) {
    return toProto(r).toByteArray();
  }

  public static KadRecord decodeRecord(byte[] data) {
    if (data.length > MAX_MESSAGE) {
      throw new KadWireException(
          "failed to decode record: " + data.length + " bytes exceeds " + MAX_MESSAGE);
    }
    try {
      return fromProto(KadProto.Record.parseFrom(data));
    } catch (InvalidProtocolBufferException e) {
      throw new KadWireException("failed to decode record: " + e.getMessage(), e);
    }
  }

  private static KadProto.Record toProto(KadRecord r) {
    return KadProto.Record.newBuilder()
        .setKey(ByteString.copyFrom(r.key()))
        .setValue(ByteString.copyFrom(r.value()))
        .setTimeReceived(r.timeReceived())
        .build();
  }

  private static KadRecord fromProto(KadProto.Record r) {
    return new KadRecord(r.getKey().toByteArray(), r.getValue().toByteArray(), r.getTimeReceived());
  }

  private static KadProto.Message.Peer toProto(KadPeer p) {
    KadProto.Message.Peer.Builder b =
        KadProto.Message.Peer.newBuilder()
            .setId(ByteString.copyFrom(p.id().toBytes()))
            .setConnectionValue(p.connection().ordinal());
    p.addrs().forEach(a -> b.addAddrs(ByteString.copyFrom(a.toBytes())));
    return b.build();
  }

  private static List<KadPeer> peers(List<KadProto.Message.Peer> pbs) {
    List<KadPeer> out = new ArrayList<>(pbs.size());
    for (KadProto.Message.Peer p : pbs) {
      PeerId id;
      try {
        id = PeerId.fromBytes(p.getId().toByteArray());
      } catch (RuntimeException e) {
        continue; // go: peers that do not parse are skipped, the message is still used
      }
      List<Multiaddr> addrs = new ArrayList<>(p.getAddrsCount());
      for (ByteString a : p.getAddrsList()) {
        try {
          addrs.add(Multiaddr.fromBytes(a.toByteArray()));
        } catch (RuntimeException e) {
          // unknown or broken address: dropped, the rest stay
        }
      }
      int c = p.getConnectionValue();
      KadPeer.Connectedness conn =
          c >= 0 && c < KadPeer.Connectedness.values().length
              ? KadPeer.Connectedness.values()[c]
              : KadPeer.Connectedness.NOT_CONNECTED;
      out.add(new KadPeer(id, addrs, conn));
    }
    return out;
  }
}
