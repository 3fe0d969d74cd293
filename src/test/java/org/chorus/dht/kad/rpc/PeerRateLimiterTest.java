package org.chorus.dht.kad.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.junit.jupiter.api.Test;

/** Token buckets per peer on a stepped ticker. */
class PeerRateLimiterTest {
  static final long SECOND = 1_000_000_000L;
  final AtomicLong now = new AtomicLong(123 * SECOND);
  final PeerId alice = IdentityKey.generate().peerId();
  final PeerId bob = IdentityKey.generate().peerId();

  @Test
  void aBurstThenTheRate_capPlusOneIsThrottled() {
    PeerRateLimiter limiter = new PeerRateLimiter(2, 3, 100, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(alice)).isTrue();
    }
    assertThat(limiter.tryAcquire(alice)).isFalse();
    assertThat(limiter.throttled()).isEqualTo(1);
    assertThat(limiter.tryAcquire(bob)).as("each peer has its own bucket").isTrue();

    now.addAndGet(SECOND / 2); // one token back
    assertThat(limiter.tryAcquire(alice)).isTrue();
    assertThat(limiter.tryAcquire(alice)).isFalse();
    now.addAndGet(60 * SECOND); // refills to the burst, not beyond
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(alice)).isTrue();
    }
    assertThat(limiter.tryAcquire(alice)).isFalse();
    assertThat(limiter.throttled()).isEqualTo(3);
  }

  @Test
  void bucketsAreBounded_andFullOnesAreForgotten() {
    PeerRateLimiter limiter = new PeerRateLimiter(1, 1, 2, now::get);
    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire(IdentityKey.generate().peerId());
      assertThat(limiter.trackedPeers()).isLessThanOrEqualTo(2);
    }
    now.addAndGet(10 * SECOND); // every bucket full again: they go as new peers arrive
    limiter.tryAcquire(alice);
    assertThat(limiter.trackedPeers()).isLessThanOrEqualTo(2);
  }

  @Test
  void unlimitedNeverThrottles() {
    PeerRateLimiter limiter = PeerRateLimiter.unlimited();
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.tryAcquire(alice)).isTrue();
    }
    assertThat(limiter.throttled()).isZero();
  }
}
