package org.chorus.dht.storage.index;

/** The metadata index could not do what was asked: open, I/O failure, closed, or full. */
public class MetadataIndexException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MetadataIndexException(String message) {
    super(message);
  }

  public MetadataIndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
