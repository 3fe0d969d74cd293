package org.chorus.dht.ucxl;

/**
 * A string is not a valid UCXL address. {@link #field()} names the part that is wrong ({@code
 * address}, {@code scheme}, {@code agent}, {@code role}, {@code project}, {@code task} or {@code
 * path}); {@link #reason()} says why, in words fit for an HTTP problem {@code detail}.
 *
 * <p>The message never echoes the rejected input (it may be huge or hostile).
 */
public class InvalidUcxlAddressException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  public InvalidUcxlAddressException(String field, String reason) {
    super("invalid UCXL address: " + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The part of the address that is wrong. */
  public String field() {
    return field;
  }

  /** Why it is wrong, e.g. {@code segment 'task' is empty}. */
  public String reason() {
    return reason;
  }
}
