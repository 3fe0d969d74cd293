package org.chorus.dht.p2p.protocol.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.protocol.autonat.pb.AutoNatProto;

/**
 * AutoNAT v1 protobuf {@code Message} bodies ↔ {@link AutoNatMessage}. Framing (varint length
 * prefix, capped at {@link #MAX_MESSAGE}) is {@link org.chorus.dht.p2p.core.LengthPrefixed}'s.
 * Decoding never throws anything but a stream-scoped {@link ProtocolException}: a body that is not
 * a {@code DIAL} with a peer or a {@code DIAL_RESPONSE} with a status is rejected; addresses that
 * do not parse are skipped and at most {@link #MAX_ADDRS} are kept. Stateless and thread-safe.
 */
public final class AutoNatCodec {
  /** Largest message body accepted (go-libp2p uses 4 KiB too). */
  public static final int MAX_MESSAGE = 4096;

  /** Most addresses kept from one {@code DIAL}. */
  public static final int MAX_ADDRS = 32;

  /** Longest status text kept from a response (longer ones are cut). */
  public static final int MAX_STATUS_TEXT = 256;

  private AutoNatCodec() {}

  /** The body of {@code m} (without the length prefix). */
  public static byte[] encode(AutoNatMessage m) {
    AutoNatProto.Message.Builder b = AutoNatProto.Message.newBuilder();
    if (m instanceof AutoNatMessage.Dial d) {
      AutoNatProto.Message.PeerInfo.Builder p = AutoNatProto.Message.PeerInfo.newBuilder();
      d.peer().ifPresent(id -> p.setId(ByteString.copyFrom(id.toBytes())));
      for (Multiaddr a : d.addrs()) {
        p.addAddrs(ByteString.copyFrom(a.toBytes()));
      }
      b.setType(AutoNatProto.Message.MessageType.DIAL)
          .setDial(AutoNatProto.Message.Dial.newBuilder().setPeer(p));
    } else {
      AutoNatMessage.DialResponse r = (AutoNatMessage.DialResponse) m;
      AutoNatProto.Message.DialResponse.Builder rb =
          AutoNatProto.Message.DialResponse.newBuilder()
              .setStatus(AutoNatProto.Message.ResponseStatus.forNumber(r.status().code()));
      if (!r.statusText().isEmpty()) {
        rb.setStatusText(r.statusText());
      }
      r.addr().ifPresent(a -> rb.setAddr(ByteString.copyFrom(a.toBytes())));
      b.setType(AutoNatProto.Message.MessageType.DIAL_RESPONSE).setDialResponse(rb);
    }
    return b.build().toByteArray();
  }

  /**
   * Decodes one message body.
   *
   * @throws ProtocolException (stream scope) if it is malformed, over {@link #MAX_MESSAGE}, or not
   *     a well-formed DIAL or DIAL_RESPONSE
   */
  public static AutoNatMessage decode(byte[] body) {
    if (body.length > MAX_MESSAGE) {
      throw ProtocolException.stream(
          "failed to read autonat message: " + body.length + " bytes exceeds " + MAX_MESSAGE);
    }
    AutoNatProto.Message m;
    try {
      m = AutoNatProto.Message.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw ProtocolException.stream("failed to decode autonat message: " + e.getMessage());
    }
    if (!m.hasType()) {
      throw ProtocolException.stream("failed to decode autonat message: no type");
    }
    return switch (m.getType()) {
      case DIAL -> decodeDial(m);
      case DIAL_RESPONSE -> decodeResponse(m);
    };
  }

  private static AutoNatMessage.Dial decodeDial(AutoNatProto.Message m) {
    if (!m.hasDial() || !m.getDial().hasPeer()) {
      throw ProtocolException.stream("failed to decode autonat dial: no peer info");
    }
    AutoNatProto.Message.PeerInfo p = m.getDial().getPeer();
    Optional<PeerId> id = Optional.empty();
    if (p.hasId()) {
      try {
        id = Optional.of(PeerId.fromBytes(p.getId().toByteArray()));
      } catch (IllegalArgumentException e) {
        throw ProtocolException.stream("failed to decode autonat dial: bad peer id");
      }
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString a : p.getAddrsList()) {
      if (addrs.size() >= MAX_ADDRS) {
        break;
      }
      parse(a).ifPresent(addrs::add);
    }
    return new AutoNatMessage.Dial(id, addrs);
  }

  private static AutoNatMessage.DialResponse decodeResponse(AutoNatProto.Message m) {
    if (!m.hasDialResponse() || !m.getDialResponse().hasStatus()) {
      throw ProtocolException.stream("failed to decode autonat response: no status");
    }
    AutoNatProto.Message.DialResponse r = m.getDialResponse();
    AutoNatMessage.Status status = null;
    for (AutoNatMessage.Status s : AutoNatMessage.Status.values()) {
      if (s.code() == r.getStatus().getNumber()) {
        status = s;
      }
    }
    if (status == null) { // proto2 maps unknown enum numbers to the default; keep a check anyway
      throw ProtocolException.stream("failed to decode autonat response: unknown status");
    }
    String text = r.getStatusText();
    if (text.length() > MAX_STATUS_TEXT) {
      text = text.substring(0, MAX_STATUS_TEXT);
    }
    Optional<Multiaddr> addr = r.hasAddr() ? parse(r.getAddr()) : Optional.empty();
    return new AutoNatMessage.DialResponse(status, text, addr);
  }

  private static Optional<Multiaddr> parse(ByteString b) {
    try {
      return Optional.of(Multiaddr.fromBytes(b.toByteArray()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
