package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.chorus.dht.backend.LocalDht;
import org.chorus.dht.backend.LocalDhtConfig;
import org.chorus.dht.kad.records.PeerRecord;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.testing.SteppingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PeerDiscovery} over the embedded backend (one node), on a stepped clock. */
class PeerDiscoveryTest {

  static final String AGENT = "chorus-dht/test";

  @TempDir Path dataDir;

  final SteppingClock clock = new SteppingClock(Instant.parse("2026-11-24T12:00:00Z"));
  final IdentityKey identity = IdentityKey.generate();
  LocalDht backend;

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  PeerDiscovery open() {
    if (backend != null) {
      backend.close();
    }
    backend =
        LocalDht.open(
            LocalDhtConfig.builder(dataDir, "local-node")
                .listenAddrs(List.of("/ip4/10.0.0.7/tcp/4001"))
                .build(),
            clock);
    return new PeerDiscovery(backend, identity, new AnnouncementStore(dataDir), AGENT, clock);
  }

  @Test
  void announcedRoleIsFoundWithTheVerifiedPeerRecord() {
    PeerDiscovery discovery = open();
    PeerDiscovery.Announcement a = discovery.announceRole("backend_developer", List.of("go"));
    assertThat(a.peerId()).isEqualTo(identity.peerId().toBase58());

    List<PeerDiscovery.FoundPeer> found = discovery.findPeersByRole("backend_developer", 10);
    assertThat(found).hasSize(1);
    PeerDiscovery.FoundPeer self = found.get(0);
    assertThat(self.peerId()).isEqualTo(identity.peerId().toBase58());
    assertThat(self.verified()).isTrue();
    assertThat(self.role()).contains("backend_developer");
    assertThat(self.capabilities()).containsExactly("go");
    assertThat(self.addresses()).containsExactly("/ip4/10.0.0.7/tcp/4001");
    assertThat(self.agentVersion()).contains(AGENT);
    assertThat(self.timestamp()).isEqualTo(clock.instant());

    assertThat(discovery.findPeersByCapability("go", 10))
        .singleElement()
        .satisfies(p -> assertThat(p.verified()).isTrue());
    assertThat(discovery.findPeersByRole("qa_engineer", 10)).isEmpty();
    assertThat(discovery.findPeersByCapability("rust", 10)).isEmpty();

    byte[] stored =
        backend
            .getValue(new String(PeerRecord.dhtKey(identity.peerId()), StandardCharsets.UTF_8))
            .orElseThrow();
    assertThat(PeerRecord.verify(PeerRecord.dhtKey(identity.peerId()), stored).peerId())
        .isEqualTo(identity.peerId());
  }

  @Test
  void capabilitiesAddUpAndANewRoleReplacesTheOld() {
    PeerDiscovery discovery = open();
    discovery.announceRole("backend_developer", List.of("go"));
    discovery.announceCapabilities(List.of("kubernetes", "go"));
    discovery.announceRole("devops_engineer", null);

    assertThat(discovery.state().role()).contains("devops_engineer");
    assertThat(discovery.state().capabilities()).containsExactly("go", "kubernetes");
    // The old role's provider record is still there, but the signed record names the new role.
    assertThat(backend.findProviders(DiscoveryKeys.role("backend_developer"), 10)).hasSize(1);
    assertThat(discovery.findPeersByRole("backend_developer", 10)).isEmpty();
    assertThat(discovery.findPeersByRole("devops_engineer", 10))
        .singleElement()
        .satisfies(p -> assertThat(p.capabilities()).containsExactly("go", "kubernetes"));
  }

  @Test
  void announcementsSurviveARestartAndAreRepublishedAfterExpiry() throws Exception {
    open().announceRole("qa_engineer", List.of("selenium"));
    assertThat(Files.readString(dataDir.resolve(AnnouncementStore.FILE_NAME)))
        .contains("role qa_engineer", "capability selenium");

    PeerDiscovery restarted = open();
    assertThat(restarted.state().role()).contains("qa_engineer");
    assertThat(restarted.state().capabilities()).containsExactly("selenium");

    clock.advance(Duration.ofHours(49));
    backend.expireNow();
    assertThat(restarted.findPeersByRole("qa_engineer", 10)).isEmpty();

    assertThat(restarted.reannounce()).isPresent();
    assertThat(restarted.findPeersByRole("qa_engineer", 10))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.verified()).isTrue();
              assertThat(p.timestamp()).isEqualTo(clock.instant());
            });
    assertThat(restarted.findPeersByCapability("selenium", 10)).hasSize(1);
  }

  @Test
  void nothingAnnouncedMeansNothingToReannounce() {
    PeerDiscovery discovery = open();
    assertThat(discovery.reannounce()).isEmpty();
    assertThat(backend.counters().providerRecords()).isZero();
  }

  @Test
  void aProviderWithAForgedRecordIsReturnedUnverified() {
    PeerDiscovery discovery = open();
    discovery.announceRole("backend_developer", List.of("go"));
    IdentityKey other = IdentityKey.generate();
    byte[] forged =
        new PeerRecord(
                "evil/1.0",
                "backend_developer",
                List.of("go", "root"),
                List.of(Multiaddr.parse("/ip4/6.6.6.6/tcp/1")),
                clock.instant())
            .sign(other);
    backend.putValue(
        new String(PeerRecord.dhtKey(identity.peerId()), StandardCharsets.UTF_8), forged);

    PeerDiscovery.FoundPeer p = discovery.findPeersByRole("backend_developer", 10).get(0);
    assertThat(p.verified()).isFalse();
    assertThat(p.peerId()).isEqualTo(identity.peerId().toBase58());
    assertThat(p.role()).contains("backend_developer");
    assertThat(p.capabilities()).isEmpty();
    assertThat(p.agentVersion()).isEmpty();
    assertThat(p.addresses()).containsExactly("/ip4/10.0.0.7/tcp/4001");
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsSaved() {
    PeerDiscovery discovery = open();
    assertField(() -> discovery.announceRole("no spaces", List.of()), "role");
    assertField(
        () -> discovery.announceRole("backend_developer", List.of("go", "bad name")),
        "capabilities[1]");
    assertField(() -> discovery.announceCapabilities(List.of()), "capabilities");
    List<String> tooMany =
        IntStream.rangeClosed(0, PeerDiscovery.MAX_CAPABILITIES).mapToObj(i -> "c" + i).toList();
    assertField(() -> discovery.announceCapabilities(tooMany), "capabilities");
    assertField(() -> discovery.findPeersByRole("backend_developer", 0), "limit");
    assertField(
        () -> discovery.findPeersByRole("backend_developer", PeerDiscovery.MAX_LIMIT + 1), "limit");
    assertField(() -> discovery.findPeersByCapability("x".repeat(65), 1), "capability");
    assertThat(discovery.state()).isEqualTo(AnnouncementStore.State.EMPTY);
    assertThat(dataDir.resolve(AnnouncementStore.FILE_NAME)).doesNotExist();

    discovery.announceCapabilities(tooMany.subList(0, PeerDiscovery.MAX_CAPABILITIES));
    assertThat(discovery.state().capabilities()).hasSize(PeerDiscovery.MAX_CAPABILITIES);
    assertThat(discovery.state().role()).isEqualTo(Optional.empty());
  }

  @Test
  void aDamagedStateFileKeepsWhatParses() throws Exception {
    Files.writeString(
        dataDir.resolve(AnnouncementStore.FILE_NAME),
        "# comment\nrole backend_developer\ncapability go\ncapability bad name\nnonsense\n");
    AnnouncementStore.State state = new AnnouncementStore(dataDir).load();
    assertThat(state.role()).contains("backend_developer");
    assertThat(state.capabilities()).containsExactly("go");
  }

  private static void assertField(Runnable call, String field) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.properties()).containsEntry("field", field);
            });
  }
}
