package org.chorus.dht.p2p.core;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A multiaddr restricted to the protocols this node speaks: {@code /ip4 /ip6 /dns4 /dns6 /tcp /p2p}
 * (github.com/multiformats/multiaddr, protocols.csv). Text and binary forms; both parsers are
 * bounded by {@link #MAX_BYTES}. {@code /ipfs/} is read as {@code /p2p/}. Immutable, thread-safe.
 */
public final class Multiaddr {
  /** Longest binary multiaddr accepted (text is capped at twice that). */
  public static final int MAX_BYTES = 1024;

  /** Longest DNS name accepted in /dns4 and /dns6. */
  public static final int MAX_DNS_NAME = 253;

  private static final Pattern IPV4 =
      Pattern.compile(
          "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]+$");

  /** The supported protocols with their multicodec codes. */
  public enum Proto {
    IP4(4, "ip4"),
    TCP(6, "tcp"),
    IP6(41, "ip6"),
    DNS4(54, "dns4"),
    DNS6(55, "dns6"),
    P2P(421, "p2p"),
    /** In-process transport for tests and simulation (multicodec {@code memory}, a u64). */
    MEMORY(777, "memory");

    final int code;
    final String label;

    Proto(int code, String label) {
      this.code = code;
      this.label = label;
    }

    static Proto byCode(long code) {
      for (Proto p : values()) {
        if (p.code == code) {
          return p;
        }
      }
      throw new IllegalArgumentException("unsupported multiaddr protocol code " + code);
    }

    static Proto byName(String name) {
      if (name.equals("ipfs")) {
        return P2P;
      }
      for (Proto p : values()) {
        if (p.label.equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unsupported multiaddr protocol /" + name);
    }
  }

  /** One protocol component and its value in text form. */
  public record Component(Proto proto, String value) {}

  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components) {
    this.components = List.copyOf(components);
    this.bytes = encode(this.components);
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("multiaddr longer than " + MAX_BYTES + " bytes");
    }
  }

  public static Multiaddr parse(String text) {
    if (text.length() > 2 * MAX_BYTES) {
      throw new IllegalArgumentException("multiaddr text longer than " + 2 * MAX_BYTES);
    }
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("invalid multiaddr '" + text + "': must start with /");
    }
    String[] parts = text.substring(1).split("/", -1);
    if (parts.length == 1 && parts[0].isEmpty()) {
      throw new IllegalArgumentException("invalid multiaddr: empty");
    }
    List<Component> out = new ArrayList<>();
    int i = 0;
    int n = parts.length;
    if (n > 1 && parts[n - 1].isEmpty()) {
      n--; // tolerate one trailing slash
    }
    while (i < n) {
      Proto p = Proto.byName(parts[i++]);
      if (i >= n) {
        throw new IllegalArgumentException(
            "invalid multiaddr '" + text + "': /" + p.label + " needs a value");
      }
      out.add(new Component(p, canonical(p, parts[i++])));
    }
    return new Multiaddr(out);
  }

  /** Parses the binary form. */
  public static Multiaddr fromBytes(byte[] data) {
    if (data.length > MAX_BYTES) {
      throw new IllegalArgumentException("multiaddr longer than " + MAX_BYTES + " bytes");
    }
    if (data.length == 0) {
      throw new IllegalArgumentException("invalid multiaddr: empty");
    }
    ByteBuffer buf = ByteBuffer.wrap(data);
    List<Component> out = new ArrayList<>();
    while (buf.hasRemaining()) {
      Proto p = Proto.byCode(Varint.readComplete(buf));
      byte[] value;
      switch (p) {
        case IP4 -> value = take(buf, 4);
        case IP6 -> value = take(buf, 16);
        case TCP -> value = take(buf, 2);
        case MEMORY -> value = take(buf, 8);
        default -> {
          long len = Varint.readComplete(buf);
          if (len > buf.remaining()) {
            throw new IllegalArgumentException("invalid multiaddr: /" + p.label + " length " + len);
          }
          value = take(buf, (int) len);
        }
      }
      out.add(new Component(p, valueToText(p, value)));
    }
    return new Multiaddr(out);
  }

  private static byte[] take(ByteBuffer buf, int n) {
    if (buf.remaining() < n) {
      throw new IllegalArgumentException("invalid multiaddr: truncated value");
    }
    byte[] v = new byte[n];
    buf.get(v);
    return v;
  }

  private static String valueToText(Proto p, byte[] v) {
    return switch (p) {
      case IP4, IP6 -> canonical(p, ipText(v));
      case TCP -> Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
      case MEMORY -> Long.toUnsignedString(java.nio.ByteBuffer.wrap(v).getLong());
      case DNS4, DNS6 -> canonical(p, new String(v, StandardCharsets.UTF_8));
      case P2P -> PeerId.fromBytes(v).toBase58();
    };
  }

  private static String ipText(byte[] v) {
    try {
      return InetAddress.getByAddress(v).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid IP address bytes", e);
    }
  }

  private static String canonical(Proto p, String value) {
    switch (p) {
      case IP4 -> {
        if (!IPV4.matcher(value).matches()) {
          throw new IllegalArgumentException("invalid /ip4 value '" + value + "'");
        }
        return value;
      }
      case IP6 -> {
        if (value.length() > 45 || !IPV6_CHARS.matcher(value).matches() || !value.contains(":")) {
          throw new IllegalArgumentException("invalid /ip6 value '" + value + "'");
        }
        try {
          InetAddress a = InetAddress.getByName(value); // literal only: checked above, no lookup
          byte[] raw = a.getAddress();
          if (raw.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
          }
          return compressIpv6(raw);
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("invalid /ip6 value '" + value + "'");
        }
      }
      case TCP -> {
        try {
          int port = Integer.parseInt(value);
          if (port < 0 || port > 65535 || !value.equals(Integer.toString(port))) {
            throw new NumberFormatException();
          }
          return value;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid /tcp port '" + value + "'");
        }
      }
      case MEMORY -> {
        try {
          long n = Long.parseUnsignedLong(value);
          if (!Long.toUnsignedString(n).equals(value)) {
            throw new NumberFormatException();
          }
          return value;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid /memory value '" + value + "'");
        }
      }
      case DNS4, DNS6 -> {
        if (value.isEmpty()
            || value.getBytes(StandardCharsets.UTF_8).length > MAX_DNS_NAME
            || value.indexOf('/') >= 0) {
          throw new IllegalArgumentException("invalid /" + p.label + " name '" + value + "'");
        }
        return value;
      }
      case P2P -> {
        return PeerId.parse(value).toBase58();
      }
      default -> throw new IllegalStateException();
    }
  }

  /** RFC 5952 text form. */
  private static String compressIpv6(byte[] raw) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] == 0) {
        int j = i;
        while (j < 8 && groups[j] == 0) {
          j++;
        }
        if (j - i > bestLen && j - i > 1) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  private static byte[] encode(List<Component> comps) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : comps) {
      out.writeBytes(Varint.encode(c.proto().code));
      switch (c.proto()) {
        case IP4, IP6 -> {
          byte[] raw;
          try {
            raw = InetAddress.getByName(c.value()).getAddress();
          } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
          }
          if (c.proto() == Proto.IP6 && raw.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
          }
          out.writeBytes(raw);
        }
        case TCP -> {
          int port = Integer.parseInt(c.value());
          out.write(port >>> 8);
          out.write(port & 0xFF);
        }
        case MEMORY -> {
          long n = Long.parseUnsignedLong(c.value());
          for (int i = 7; i >= 0; i--) {
            out.write((int) (n >>> (8 * i)) & 0xFF);
          }
        }
        case DNS4, DNS6 -> {
          byte[] name = c.value().getBytes(StandardCharsets.UTF_8);
          out.writeBytes(Varint.encode(name.length));
          out.writeBytes(name);
        }
        case P2P -> {
          byte[] id = PeerId.parse(c.value()).toBytes();
          out.writeBytes(Varint.encode(id.length));
          out.writeBytes(id);
        }
        default -> throw new IllegalStateException();
      }
    }
    return out.toByteArray();
  }

  /** From a socket address: {@code /ip4/a.b.c.d/tcp/p} or {@code /ip6/.../tcp/p}. */
  public static Multiaddr fromSocketAddress(InetSocketAddress addr) {
    InetAddress a = addr.getAddress();
    Proto ip = a instanceof Inet4Address ? Proto.IP4 : Proto.IP6;
    String host = a instanceof Inet6Address ? compressIpv6(a.getAddress()) : a.getHostAddress();
    return new Multiaddr(
        List.of(
            new Component(ip, host), new Component(Proto.TCP, Integer.toString(addr.getPort()))));
  }

  public List<Component> components() {
    return components;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The trailing {@code /p2p/<id>}, if any. */
  public Optional<PeerId> peerId() {
    if (!components.isEmpty() && components.get(components.size() - 1).proto() == Proto.P2P) {
      return Optional.of(PeerId.parse(components.get(components.size() - 1).value()));
    }
    return Optional.empty();
  }

  /** This address without a trailing {@code /p2p/<id>}. */
  public Multiaddr withoutPeerId() {
    return peerId().isPresent()
        ? new Multiaddr(components.subList(0, components.size() - 1))
        : this;
  }

  /** This address with {@code /p2p/<id>} appended (replacing an existing one). */
  public Multiaddr withPeerId(PeerId id) {
    List<Component> c = new ArrayList<>(withoutPeerId().components);
    c.add(new Component(Proto.P2P, id.toBase58()));
    return new Multiaddr(c);
  }

  /**
   * Host and port for a TCP dial ({@code /ip4|ip6|dns4|dns6/<host>/tcp/<port>[/p2p/id]}); empty if
   * this address is not dialable over TCP. DNS names are left unresolved.
   */
  public Optional<InetSocketAddress> toTcpSocketAddress() {
    Multiaddr base = withoutPeerId();
    if (base.components.size() != 2 || base.components.get(1).proto() != Proto.TCP) {
      return Optional.empty();
    }
    Component host = base.components.get(0);
    int port = Integer.parseInt(base.components.get(1).value());
    return switch (host.proto()) {
      case IP4, IP6 -> {
        try {
          yield Optional.of(new InetSocketAddress(InetAddress.getByName(host.value()), port));
        } catch (UnknownHostException e) {
          yield Optional.empty();
        }
      }
      case DNS4, DNS6 -> Optional.of(InetSocketAddress.createUnresolved(host.value(), port));
      default -> Optional.empty();
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append('/').append(c.proto().label).append('/').append(c.value());
    }
    return sb.toString();
  }
}
