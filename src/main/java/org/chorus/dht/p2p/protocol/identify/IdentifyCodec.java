package org.chorus.dht.p2p.protocol.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.ProtocolException;
import org.chorus.dht.p2p.core.Varint;
import org.chorus.dht.p2p.pb.P2pProto;

/**
 * identify messages (identify/README.md): varint length-prefixed protobuf {@code Identify}, read
 * until EOF; several messages are merged (later scalar fields win, lists are joined), as js-libp2p
 * does. Bounded: at most {@link #MAX_MESSAGE} bytes per message (checked before buffering the body)
 * and {@link #MAX_MESSAGES} messages; at most {@link #MAX_LIST} addresses and protocols each. Not
 * thread-safe (one reader per stream).
 */
public final class IdentifyCodec {
  /** Largest identify message accepted; js and go both use 8 KiB. */
  public static final int MAX_MESSAGE = 8192;

  public static final int MAX_MESSAGES = 10;

  /** Most listen addresses or protocols kept from one peer. */
  public static final int MAX_LIST = 128;

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final List<P2pProto.Identify> messages = new ArrayList<>();

  /** Encodes one length-prefixed message. */
  public static byte[] encode(
      byte[] publicKey,
      String protocolVersion,
      String agentVersion,
      List<Multiaddr> listenAddrs,
      Optional<Multiaddr> observed,
      List<String> protocols) {
    P2pProto.Identify.Builder b =
        P2pProto.Identify.newBuilder()
            .setPublicKey(ByteString.copyFrom(publicKey))
            .setProtocolVersion(protocolVersion)
            .setAgentVersion(agentVersion)
            .addAllProtocols(protocols);
    for (Multiaddr a : listenAddrs) {
      b.addListenAddrs(ByteString.copyFrom(a.toBytes()));
    }
    observed.ifPresent(o -> b.setObservedAddr(ByteString.copyFrom(o.toBytes())));
    byte[] body = b.build().toByteArray();
    byte[] len = Varint.encode(body.length);
    byte[] out = new byte[len.length + body.length];
    System.arraycopy(len, 0, out, 0, len.length);
    System.arraycopy(body, 0, out, len.length, body.length);
    return out;
  }

  /**
   * Feeds stream bytes; whole messages are decoded as they complete.
   *
   * @throws ProtocolException (stream scope) on an oversized or malformed message or too many
   */
  public void feed(byte[] data) {
    if (pending.size() + data.length > MAX_MESSAGE + Varint.MAX_BYTES) {
      // only possible if a length prefix promised more than the cap; parse() below rejects it
      pending.write(data, 0, Math.max(0, MAX_MESSAGE + Varint.MAX_BYTES - pending.size()));
    } else {
      pending.writeBytes(data);
    }
    byte[] buf = pending.toByteArray();
    int pos = 0;
    while (pos < buf.length) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, pos, buf.length - pos);
      long len;
      try {
        len = Varint.read(bb);
      } catch (IllegalArgumentException e) {
        throw ProtocolException.stream("failed to read identify: " + e.getMessage());
      }
      if (len < 0) {
        break;
      }
      if (len > MAX_MESSAGE) {
        throw ProtocolException.stream(
            "failed to read identify: message of " + len + " bytes exceeds " + MAX_MESSAGE);
      }
      if (bb.remaining() < len) {
        break;
      }
      if (messages.size() >= MAX_MESSAGES) {
        throw ProtocolException.stream(
            "failed to read identify: more than " + MAX_MESSAGES + " messages");
      }
      try {
        messages.add(P2pProto.Identify.parseFrom(bb.slice(bb.position(), (int) len)));
      } catch (InvalidProtocolBufferException e) {
        throw ProtocolException.stream("failed to decode identify: " + e.getMessage());
      }
      pos = bb.position() + (int) len;
    }
    pending.reset();
    pending.write(buf, pos, buf.length - pos);
  }

  /** Merges what was read (call at EOF); the public key is required. */
  public IdentifyInfo finish() {
    return finish(true);
  }

  /**
   * Merges what was read from an identify push (call at EOF): like {@link #finish()}, but a push
   * may leave the public key out (then {@link IdentifyInfo#publicKey()} is empty).
   */
  public IdentifyInfo finishPush() {
    return finish(false);
  }

  private IdentifyInfo finish(boolean requireKey) {
    if (pending.size() > 0) {
      throw ProtocolException.stream("failed to read identify: truncated message at EOF");
    }
    if (messages.isEmpty()) {
      throw ProtocolException.stream("failed to read identify: no message");
    }
    byte[] publicKey = null;
    String protocolVersion = "";
    String agentVersion = "";
    LinkedHashSet<Multiaddr> addrs = new LinkedHashSet<>();
    Optional<Multiaddr> observed = Optional.empty();
    LinkedHashSet<String> protocols = new LinkedHashSet<>();
    for (P2pProto.Identify m : messages) {
      if (m.hasPublicKey()) {
        publicKey = m.getPublicKey().toByteArray();
      }
      if (m.hasProtocolVersion()) {
        protocolVersion = m.getProtocolVersion();
      }
      if (m.hasAgentVersion()) {
        agentVersion = m.getAgentVersion();
      }
      for (ByteString a : m.getListenAddrsList()) {
        if (addrs.size() < MAX_LIST) {
          parse(a).ifPresent(addrs::add);
        }
      }
      if (m.hasObservedAddr()) {
        observed = parse(m.getObservedAddr());
      }
      for (String p : m.getProtocolsList()) {
        if (protocols.size() < MAX_LIST) {
          protocols.add(p);
        }
      }
    }
    if (publicKey == null && requireKey) {
      throw ProtocolException.stream("failed to read identify: no public key");
    }
    if (publicKey == null) {
      publicKey = new byte[0];
    }
    return new IdentifyInfo(
        publicKey,
        protocolVersion,
        agentVersion,
        List.copyOf(addrs),
        observed,
        List.copyOf(protocols));
  }

  private static Optional<Multiaddr> parse(ByteString b) {
    try {
      return Optional.of(Multiaddr.fromBytes(b.toByteArray()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
