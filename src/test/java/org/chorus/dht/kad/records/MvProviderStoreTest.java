package org.chorus.dht.kad.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.chorus.dht.kad.wire.KadPeer;
import org.chorus.dht.p2p.core.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvProviderStoreTest extends ProviderStoreContractTest {
  @TempDir Path dir;
  private final List<MvProviderStore> opened = new ArrayList<>();

  @Override
  ProviderStore create(int maxKeys, int maxPerKey, Predicate<PeerId> verified) {
    MvProviderStore s =
        MvProviderStore.open(
            dir.resolve(MvProviderStore.FILE_NAME),
            clock,
            ProviderStore.DEFAULT_VALIDITY,
            ProviderStore.DEFAULT_ADDRS_VALIDITY,
            maxKeys,
            maxPerKey,
            verified);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(MvProviderStore::close);
  }

  @Test
  void survivesRestart_keepingOrderAndTimes() {
    MvProviderStore s = (MvProviderStore) create();
    KadPeer first = peer();
    KadPeer second = peer();
    s.add(MH, first);
    clock.advance(Duration.ofHours(1));
    s.add(MH, second);
    s.close();

    MvProviderStore reopened = (MvProviderStore) create();
    assertThat(reopened.get(MH)).containsExactly(first, second);
    clock.advance(Duration.ofHours(23));
    assertThat(reopened.get(MH)).containsExactly(new KadPeer(first.id(), List.of()), second);
    clock.advance(Duration.ofHours(24));
    assertThat(reopened.get(MH)).containsExactly(new KadPeer(second.id(), List.of()));
    assertThat(reopened.expire()).isEqualTo(1);
    reopened.close();
    assertThat(((MvProviderStore) create()).providers(MH)).hasSize(1);
  }

  @Test
  void refreshKeepsThePlace() {
    ProviderStore s = create();
    KadPeer first = peer();
    KadPeer second = peer();
    s.add(MH, first);
    s.add(MH, second);
    assertThat(s.add(MH, first)).isEqualTo(ProviderStore.AddOutcome.REFRESHED);
    assertThat(s.get(MH)).extracting(KadPeer::id).containsExactly(first.id(), second.id());
  }
}
