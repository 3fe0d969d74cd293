package org.chorus.dht.p2p.multistream;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.chorus.dht.p2p.core.ProtocolId;

/**
 * multistream-select 1.0 (github.com/multiformats/multistream-select), one negotiation, as a pure
 * state machine: it does no I/O, the caller writes {@link Outcome#toWrite()} and feeds inbound
 * bytes to {@link #onData}. Messages are {@code varint(len) || utf8 || '\n'}, each at most {@link
 * #MAX_MESSAGE} bytes (length checked before anything is buffered). The initiator proposes its
 * protocols in order and moves on at {@code na}; the responder answers {@code na} to anything it
 * does not support (at most {@link #MAX_ATTEMPTS} proposals) and lists its protocols for {@code
 * ls}. Not thread-safe: confine to one thread (the connection's event loop).
 */
public final class MultistreamNegotiator {
  /** The protocol id of multistream-select itself, sent first by both sides. */
  public static final String HEADER = "/multistream/1.0.0";

  /** Largest message (including the trailing newline) we accept: 1 KiB. */
  public static final int MAX_MESSAGE = 1024;

  /** How many proposals a responder answers before it gives up. */
  public static final int MAX_ATTEMPTS = 32;

  static final String NA = "na";
  static final String LS = "ls";

  /** Result of feeding data: bytes to send and whether negotiation ended. */
  public sealed interface Outcome {
    byte[] toWrite();
  }

  /** Not finished yet. */
  public record Pending(byte[] toWrite) implements Outcome {}

  /** Agreed on {@code protocol}; bytes left in the input belong to that protocol. */
  public record Selected(ProtocolId protocol, byte[] toWrite) implements Outcome {}

  /** Negotiation failed; the reason says why. */
  public record Failed(String reason, byte[] toWrite) implements Outcome {}

  private final boolean initiator;
  private final List<ProtocolId> proposals;
  private final Set<ProtocolId> supported;
  private boolean headerSeen;
  private int next;
  private int attempts;
  private boolean done;

  private MultistreamNegotiator(
      boolean initiator, List<ProtocolId> proposals, Set<ProtocolId> supported) {
    this.initiator = initiator;
    this.proposals = proposals;
    this.supported = supported;
  }

  /** Dialer side: proposes {@code proposals} in order. */
  public static MultistreamNegotiator initiator(List<ProtocolId> proposals) {
    if (proposals.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    return new MultistreamNegotiator(true, List.copyOf(proposals), Set.of());
  }

  /** Listener side: accepts any of {@code supported}. */
  public static MultistreamNegotiator responder(Set<ProtocolId> supported) {
    return new MultistreamNegotiator(false, List.of(), Set.copyOf(supported));
  }

  /**
   * The header message as it goes on the wire, {@code varint(19) || "/multistream/1.0.0\n"}: the
   * first bytes either side of a negotiation sends.
   */
  public static byte[] headerMessage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeMessage(out, HEADER);
    return out.toByteArray();
  }

  /** What to send first: our header, and for an initiator its first proposal (pipelined). */
  public byte[] start() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeMessage(out, HEADER);
    if (initiator) {
      writeMessage(out, proposals.get(next).value());
    }
    return out.toByteArray();
  }

  /**
   * Consumes whole messages from {@code in} (the caller keeps ownership; bytes after the final
   * message stay unread) and returns what to do.
   */
  public Outcome onData(ByteBuf in) {
    if (done) {
      throw new IllegalStateException("negotiation already finished");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String msg;
      try {
        msg = readMessage(in);
      } catch (IllegalArgumentException e) {
        done = true;
        return new Failed(e.getMessage(), out.toByteArray());
      }
      if (msg == null) {
        return new Pending(out.toByteArray());
      }
      if (!headerSeen) {
        if (!msg.equals(HEADER)) {
          done = true;
          return new Failed(
              "failed to negotiate: unexpected header '" + clip(msg) + "'", out.toByteArray());
        }
        headerSeen = true;
        continue;
      }
      Outcome o = initiator ? initiatorStep(msg, out) : responderStep(msg, out);
      if (o != null) {
        done = true;
        return o;
      }
    }
  }

  private Outcome initiatorStep(String msg, ByteArrayOutputStream out) {
    ProtocolId proposed = proposals.get(next);
    if (msg.equals(proposed.value())) {
      return new Selected(proposed, out.toByteArray());
    }
    if (msg.equals(NA)) {
      next++;
      if (next >= proposals.size()) {
        return new Failed(
            "failed to negotiate: peer supports none of " + proposals, out.toByteArray());
      }
      writeMessage(out, proposals.get(next).value());
      return null;
    }
    return new Failed(
        "failed to negotiate: unexpected answer '" + clip(msg) + "'", out.toByteArray());
  }

  private Outcome responderStep(String msg, ByteArrayOutputStream out) {
    if (++attempts > MAX_ATTEMPTS) {
      return new Failed(
          "failed to negotiate: more than " + MAX_ATTEMPTS + " proposals", out.toByteArray());
    }
    if (msg.equals(LS)) {
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      for (ProtocolId p : supported) {
        writeMessage(list, p.value());
      }
      list.write('\n');
      byte[] body = list.toByteArray();
      if (body.length <= MAX_MESSAGE) {
        out.writeBytes(varint(body.length));
        out.writeBytes(body);
      } else {
        writeMessage(out, NA);
      }
      return null;
    }
    ProtocolId candidate;
    try {
      candidate = ProtocolId.of(msg);
    } catch (IllegalArgumentException e) {
      writeMessage(out, NA);
      return null;
    }
    if (supported.contains(candidate)) {
      writeMessage(out, msg);
      return new Selected(candidate, out.toByteArray());
    }
    writeMessage(out, NA);
    return null;
  }

  /**
   * Reads one message; returns null if {@code in} does not yet hold a whole one (nothing is
   * consumed then).
   */
  static String readMessage(ByteBuf in) {
    int start = in.readerIndex();
    long len = 0;
    int i = 0;
    while (true) {
      if (!in.isReadable()) {
        in.readerIndex(start);
        return null;
      }
      int b = in.readByte() & 0xFF;
      len |= (long) (b & 0x7F) << (7 * i);
      i++;
      if ((b & 0x80) == 0) {
        break;
      }
      if (i >= 3) {
        throw new IllegalArgumentException("failed to negotiate: message length varint too long");
      }
    }
    if (len > MAX_MESSAGE) {
      throw new IllegalArgumentException(
          "failed to negotiate: message of " + len + " bytes exceeds " + MAX_MESSAGE);
    }
    if (len == 0) {
      throw new IllegalArgumentException("failed to negotiate: empty message");
    }
    if (in.readableBytes() < len) {
      in.readerIndex(start);
      return null;
    }
    byte[] body = new byte[(int) len];
    in.readBytes(body);
    if (body[body.length - 1] != '\n') {
      throw new IllegalArgumentException("failed to negotiate: message without trailing newline");
    }
    return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
  }

  static void writeMessage(ByteArrayOutputStream out, String msg) {
    byte[] b = (msg + "\n").getBytes(StandardCharsets.UTF_8);
    out.writeBytes(varint(b.length));
    out.writeBytes(b);
  }

  private static byte[] varint(int v) {
    return org.chorus.dht.p2p.core.Varint.encode(v);
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** The protocols a responder supports (for logs). */
  public List<ProtocolId> supported() {
    return new ArrayList<>(supported);
  }
}
