package org.chorus.dht.p2p.core;

/**
 * Memory one stream holds against its connection's budget ({@link MemoryBudget}): whoever buffers
 * inbound or outbound bytes of the stream reserves them first and releases them once they are
 * handed on. A refused reservation has been counted; the caller drops the bytes and resets the
 * stream. Thread-safe.
 */
public interface MemoryScope {

  /** Never refuses: for streams outside any budget (test fakes). */
  MemoryScope UNLIMITED =
      new MemoryScope() {
        @Override
        public boolean reserve(int bytes) {
          return true;
        }

        @Override
        public void release(int bytes) {}
      };

  /** Takes {@code bytes} from the budget; false (nothing taken, refusal counted) over it. */
  boolean reserve(int bytes);

  /** Gives back {@code bytes} reserved earlier (more than this scope holds is clamped). */
  void release(int bytes);
}
