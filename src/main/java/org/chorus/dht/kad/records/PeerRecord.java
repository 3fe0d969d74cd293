package org.chorus.dht.kad.records;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.crypto.PublicKeys;

/**
 * A signed peer record, the value under {@code /CHORUS/peer/<peerId>} (DESIGN.md "Kademlia"): what
 * a peer says about itself (agent version, role, capabilities, addresses, timestamp), signed by its
 * libp2p identity key.
 *
 * <p>Wire form (deterministic, big-endian, every variable field length-prefixed by a 4-byte int):
 * format byte {@code 1}, the signer's protobuf libp2p public key, agent version, role (UTF-8),
 * capability count and capabilities, address count and binary multiaddrs, timestamp (epoch millis,
 * 8 bytes), then the signature. The signature covers {@link #SIGNING_CONTEXT} followed by every
 * byte before the signature. Not protobuf: protobuf types stay in {@code kad.wire}, and this
 * encoding has a single byte form per record, so it cannot be re-serialised into another.
 *
 * <p>Every field is bounded by a named cap; {@link #verify} checks them before allocating.
 * Immutable and thread-safe.
 *
 * @param timestamp creation time at millisecond precision (what the signature covers)
 */
public record PeerRecord(
    String agentVersion,
    String role,
    List<String> capabilities,
    List<Multiaddr> addresses,
    Instant timestamp) {

  /** Key prefix of the namespace. */
  public static final String DHT_KEY_PREFIX = "/CHORUS/peer/";

  /** Domain separation tag at the start of the signing input. */
  public static final String SIGNING_CONTEXT = "chorus-dht/peer-record/v1";

  /** Format byte. */
  public static final int FORMAT = 1;

  /** Named cap: the largest encoded record. */
  public static final int MAX_VALUE_BYTES = 16 * 1024;

  /** Named cap: capabilities per record. */
  public static final int MAX_CAPABILITIES = 64;

  /** Named cap: addresses per record (as for provider records). */
  public static final int MAX_ADDRESSES = ProviderStore.MAX_ADDRS;

  /** Named cap: UTF-8 bytes of the agent version, the role and each capability. */
  public static final int MAX_TEXT_BYTES = 256;

  public PeerRecord {
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(role, "role");
    capabilities = List.copyOf(capabilities);
    addresses = List.copyOf(addresses);
    timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
    if (capabilities.size() > MAX_CAPABILITIES || addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("too many capabilities or addresses");
    }
    for (String s : concat(List.of(agentVersion, role), capabilities)) {
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
        throw new IllegalArgumentException("text field longer than " + MAX_TEXT_BYTES + " bytes");
      }
    }
  }

  /** A record verified against its key: who signed it and what it says. */
  public record Verified(PeerId peerId, PeerRecord record) {}

  /** The DHT key {@code /CHORUS/peer/<base58 peer id>} of a peer's record. */
  public static byte[] dhtKey(PeerId peer) {
    return (DHT_KEY_PREFIX + peer.toBase58()).getBytes(StandardCharsets.UTF_8);
  }

  /** The signed wire form, signed by {@code key}; store it under {@code dhtKey(key.peerId())}. */
  public byte[] sign(IdentityKey key) {
    byte[] body = body(key.publicKeyProtobuf());
    byte[] signature = key.sign(signingInput(body));
    ByteBuffer out = ByteBuffer.allocate(body.length + 4 + signature.length);
    out.put(body).putInt(signature.length).put(signature);
    return out.array();
  }

  /**
   * Decodes {@code value} and checks that it is the record of the peer named in {@code key}: the
   * key is {@code /CHORUS/peer/<peerId>}, the embedded public key derives that peer id, and the
   * signature verifies.
   *
   * @throws InvalidRecordException saying why not
   */
  public static Verified verify(byte[] key, byte[] value) {
    PeerId expected = peerIdOf(key);
    if (value.length > MAX_VALUE_BYTES) {
      throw invalid("record is " + value.length + " bytes, limit " + MAX_VALUE_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      if (in.get() != FORMAT) {
        throw invalid("unknown peer record format");
      }
      byte[] publicKey = bytes(in, PublicKeys.MAX_ENCODED);
      String agentVersion = text(in);
      String role = text(in);
      List<String> capabilities = new ArrayList<>();
      int n = count(in, MAX_CAPABILITIES);
      for (int i = 0; i < n; i++) {
        capabilities.add(text(in));
      }
      List<Multiaddr> addresses = new ArrayList<>();
      n = count(in, MAX_ADDRESSES);
      for (int i = 0; i < n; i++) {
        addresses.add(Multiaddr.fromBytes(bytes(in, Multiaddr.MAX_BYTES)));
      }
      Instant timestamp = Instant.ofEpochMilli(in.getLong());
      int bodyLength = in.position();
      byte[] signature = bytes(in, 1024);
      if (in.hasRemaining()) {
        throw invalid("trailing bytes after the signature");
      }
      PeerId signer = PublicKeys.decode(publicKey).peerId();
      if (!signer.equals(expected)) {
        throw invalid("record is signed by " + signer + ", not by " + expected);
      }
      byte[] body = new byte[bodyLength];
      System.arraycopy(value, 0, body, 0, bodyLength);
      if (!PublicKeys.verify(publicKey, signingInput(body), signature)) {
        throw invalid("signature does not verify");
      }
      return new Verified(
          signer, new PeerRecord(agentVersion, role, capabilities, addresses, timestamp));
    } catch (BufferUnderflowException e) {
      throw invalid("record is truncated");
    } catch (IllegalArgumentException | DateTimeException e) {
      throw invalid(e.getMessage());
    }
  }

  /** The peer id named by a {@code /CHORUS/peer/<peerId>} key. */
  public static PeerId peerIdOf(byte[] key) {
    String k = new String(key, StandardCharsets.UTF_8);
    if (!k.startsWith(DHT_KEY_PREFIX)) {
      throw invalid("key is not " + DHT_KEY_PREFIX + "<peerId>");
    }
    try {
      return PeerId.parse(k.substring(DHT_KEY_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw invalid("key names no valid peer id: " + e.getMessage());
    }
  }

  private byte[] body(byte[] publicKeyProtobuf) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeByte(FORMAT);
      writeBytes(out, publicKeyProtobuf);
      writeText(out, agentVersion);
      writeText(out, role);
      out.writeInt(capabilities.size());
      for (String c : capabilities) {
        writeText(out, c);
      }
      out.writeInt(addresses.size());
      for (Multiaddr a : addresses) {
        writeBytes(out, a.toBytes());
      }
      out.writeLong(timestamp.toEpochMilli());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static byte[] signingInput(byte[] body) {
    byte[] context = SIGNING_CONTEXT.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(context.length + body.length).put(context).put(body).array();
  }

  private static void writeText(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static int count(ByteBuffer in, int max) {
    int n = in.getInt();
    if (n < 0 || n > max) {
      throw invalid("count " + n + " out of range 0.." + max);
    }
    return n;
  }

  private static byte[] bytes(ByteBuffer in, int max) {
    int n = count(in, Math.min(max, in.remaining()));
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static String text(ByteBuffer in) {
    return new String(bytes(in, MAX_TEXT_BYTES), StandardCharsets.UTF_8);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static InvalidRecordException invalid(String why) {
    return new InvalidRecordException("failed to validate peer record: " + why);
  }
}
