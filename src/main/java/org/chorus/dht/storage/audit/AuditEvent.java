package org.chorus.dht.storage.audit;

/**
 * What happened, as the storage layer reports it to {@link AuditLog#append}. The log adds the time
 * stamp, the node id and the chain hash.
 *
 * @param principal who asked (may be null for anonymous or unknown callers)
 * @param role the caller's role (may be null)
 * @param address the UCXL address or DHT key concerned (may be null, e.g. a malformed address)
 * @param operation e.g. {@link #STORE}, {@link #RETRIEVE}, {@link #DENIED}, {@link #DELETE}, {@link
 *     #REMOTE_PUT}; never {@link AuditLog#CHECKPOINT}, which marks the log's own checkpoint lines
 * @param outcome e.g. {@link #OK}, {@link #NOT_FOUND}, {@link #ERROR}, {@link #ACCEPTED}
 * @param size bytes involved, or 0 (for an aggregate line: the number of events it stands for)
 */
public record AuditEvent(
    String principal, String role, String address, String operation, String outcome, long size) {

  public static final String STORE = "store";
  public static final String RETRIEVE = "retrieve";
  public static final String DENIED = "denied";
  public static final String DELETE = "delete";
  public static final String SEARCH = "search";
  public static final String ANNOUNCE = "announce";

  /** A PUT_VALUE a peer sent (principal: its peer id; address: the DHT key). */
  public static final String REMOTE_PUT = "remote-put";

  /** A value a peer returned to one of our lookups (only refusals are audited). */
  public static final String REMOTE_GET = "remote-get";

  /** The admin switch of the active backend (address: the selection asked for). */
  public static final String BACKEND_SELECT = "backend-select";

  /** The admin denial of a peer (address: its peer id). */
  public static final String PEER_DENY = "peer-deny";

  /** The admin lifting of a peer's denial (address: its peer id). */
  public static final String PEER_LIFT = "peer-lift";

  /** The log's own findings: {@code unanchored} or {@code tampered:<state>} at open. */
  public static final String AUDIT = "audit";

  public static final String OK = "ok";
  public static final String NOT_FOUND = "not_found";
  public static final String FORBIDDEN = "forbidden";
  public static final String ERROR = "error";
  public static final String ACCEPTED = "accepted";

  /** A write that lost to another write, or whose precondition failed. */
  public static final String CONFLICT = "conflict";

  public AuditEvent {
    if (operation == null || operation.isBlank()) {
      throw new IllegalArgumentException("audit operation must not be blank");
    }
    if (operation.equals(AuditLog.CHECKPOINT)) {
      throw new IllegalArgumentException("audit operation '" + operation + "' is reserved");
    }
    if (outcome == null || outcome.isBlank()) {
      throw new IllegalArgumentException("audit outcome must not be blank");
    }
    if (size < 0) {
      throw new IllegalArgumentException("audit size must not be negative, was " + size);
    }
  }
}
