package org.chorus.dht.p2p.mux.yamux;

/**
 * Every Yamux knob with its default (yamux/README.md). Immutable.
 *
 * @param initialWindow receive window per stream; we never grant more, so it also caps inbound data
 *     frames (256 KiB, the spec's initial window)
 * @param maxStreams streams open at once per connection, inbound and outbound together; a SYN over
 *     the cap is answered with RST
 * @param maxFrameData largest data frame payload we send (just under 64 KiB so that a frame fits
 *     one Noise message)
 * @param maxSendBuffer bytes a stream may have queued for sending before {@code write} fails
 */
public record YamuxConfig(int initialWindow, int maxStreams, int maxFrameData, int maxSendBuffer) {
  public static final int DEFAULT_INITIAL_WINDOW = 256 * 1024;
  public static final int DEFAULT_MAX_STREAMS = 256;

  /** 65519 (max Noise plaintext) - 12 (yamux header): one data frame fits one Noise message. */
  public static final int DEFAULT_MAX_FRAME_DATA = 65519 - 12;

  public static final int DEFAULT_MAX_SEND_BUFFER = 4 * 1024 * 1024;

  public static final YamuxConfig DEFAULT =
      new YamuxConfig(
          DEFAULT_INITIAL_WINDOW,
          DEFAULT_MAX_STREAMS,
          DEFAULT_MAX_FRAME_DATA,
          DEFAULT_MAX_SEND_BUFFER);

  public YamuxConfig {
    validate(initialWindow, maxStreams, maxFrameData, maxSendBuffer);
  }

  private static void validate(int window, int streams, int frame, int sendBuffer) {
    if (window < DEFAULT_INITIAL_WINDOW || window > 16 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "yamux initialWindow must be in [256 KiB, 16 MiB]: " + window);
    }
    if (streams < 1 || streams > 65536) {
      throw new IllegalArgumentException("yamux maxStreams must be in [1, 65536]: " + streams);
    }
    if (frame < 1024 || frame > window) {
      throw new IllegalArgumentException("yamux maxFrameData must be in [1 KiB, window]: " + frame);
    }
    if (sendBuffer < frame) {
      throw new IllegalArgumentException("yamux maxSendBuffer must be >= maxFrameData");
    }
  }
}
