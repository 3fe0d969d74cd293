package org.chorus.dht.age;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One recipient stanza of an age header: {@code -> type args...} followed by a binary body. The
 * body is copied in and out, so a stanza is immutable and thread-safe.
 */
public record Stanza(String type, List<String> args, byte[] body) {

  public Stanza {
    Objects.requireNonNull(type, "type");
    args = List.copyOf(args);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body length without copying it. */
  public int bodyLength() {
    return body.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Stanza s
        && type.equals(s.type)
        && args.equals(s.args)
        && Arrays.equals(body, s.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, args, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "Stanza[" + type + " " + String.join(" ", args) + ", body=" + body.length + " bytes]";
  }
}
