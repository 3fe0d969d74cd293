package org.chorus.dht.kad;

/**
 * What {@link Dht#getValue} came to. Expected outcomes are values: the best record was found
 * ({@link Found}), the lookup finished without one ({@link NotFound}), or the query deadline passed
 * without one ({@link Timeout}).
 */
public sealed interface GetResult {

  /**
   * @param value the best value (the validator's selection)
   * @param responders how many holders returned that value, the local store included
   */
  record Found(byte[] value, int responders) implements GetResult {
    public Found {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  /**
   * @param asked peers that answered the lookup
   */
  record NotFound(int asked) implements GetResult {}

  record Timeout() implements GetResult {}
}
