package org.chorus.dht.p2p.protocol.autonat;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.core.PeerId;

/**
 * The two AutoNAT v1 messages (autonat/README.md#autonat-protocol) as plain values; the protobuf
 * types stay inside {@link AutoNatCodec}.
 */
public sealed interface AutoNatMessage {

  /** Response status codes with their wire numbers. */
  enum Status {
    OK(0),
    E_DIAL_ERROR(100),
    E_DIAL_REFUSED(101),
    E_BAD_REQUEST(200),
    E_INTERNAL_ERROR(300);

    private final int code;

    Status(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /**
   * {@code DIAL}: "please dial me back at these addresses".
   *
   * @param peer the asking peer's id; absent if the sender left it out
   * @param addrs the addresses to try (the ones we could not parse are dropped by the codec)
   */
  record Dial(Optional<PeerId> peer, List<Multiaddr> addrs) implements AutoNatMessage {
    public Dial {
      Objects.requireNonNull(peer, "peer");
      addrs = List.copyOf(addrs);
    }
  }

  /**
   * {@code DIAL_RESPONSE}.
   *
   * @param status the outcome
   * @param statusText a human-readable reason (may be empty)
   * @param addr the address that was dialled successfully (with {@link Status#OK})
   */
  record DialResponse(Status status, String statusText, Optional<Multiaddr> addr)
      implements AutoNatMessage {
    public DialResponse {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(statusText, "statusText");
      Objects.requireNonNull(addr, "addr");
    }

    public static DialResponse ok(Multiaddr addr) {
      return new DialResponse(Status.OK, "", Optional.of(addr));
    }

    public static DialResponse error(Status status, String text) {
      return new DialResponse(status, text, Optional.empty());
    }
  }
}
