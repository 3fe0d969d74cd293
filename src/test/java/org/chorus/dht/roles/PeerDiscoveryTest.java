package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
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

  @TempDir Path keysDir;

  final SteppingClock clock = new SteppingClock(Instant.parse("2026-11-24T12:00:00Z"));
  final IdentityKey identity = IdentityKey.generate();
  LocalDht backend;
  RoleKeys roleKeys;

  static RolePolicy policy() throws IOException {
    return new RolePolicy(RolesFile.readOrBuiltIn(Path.of("config/roles.yaml")));
  }

  /** Keys generated for every role of the built-in policy in {@code dir}. */
  static RoleKeys keysIn(Path dir) throws IOException {
    return RoleKeys.load(dir, policy(), Clock.systemUTC());
  }

  /** Keys for {@code roles} only, freshly generated in {@code dir}. */
  static RoleKeys onlyKeysFor(Path dir, String... roles) throws IOException {
    for (String role : roles) {
      Files.writeString(
          dir.resolve(role + RoleKeys.KEY_SUFFIX),
          IdentityFile.format(X25519Identity.generate(), Instant.now()));
    }
    return keysIn(dir);
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  PeerDiscovery open() throws IOException {
    if (roleKeys == null) {
      roleKeys = keysIn(keysDir);
    }
    if (backend != null) {
      backend.close();
    }
    backend =
        LocalDht.open(
            LocalDhtConfig.builder(dataDir, "local-node")
                .listenAddrs(List.of("/ip4/10.0.0.7/tcp/4001"))
                .build(),
            clock);
    return new PeerDiscovery(
        backend, identity, roleKeys, new AnnouncementStore(dataDir), AGENT, clock);
  }

  String peerKey() {
    return new String(PeerRecord.dhtKey(identity.peerId()), StandardCharsets.UTF_8);
  }

  /** Replaces this node's record with {@code record} signed by it, the claim by {@code signer}. */
  void putOwnRecord(PeerRecord record, PeerRecord.RoleClaimSigner signer) {
    backend.putValue(peerKey(), record.sign(identity, signer));
  }

  static PeerRecord claim(String role, Instant at, long sequence) {
    return PeerRecord.of(
        "chorus-dht/other",
        role,
        List.of("go"),
        List.of(Multiaddr.parse("/ip4/10.9.9.9/tcp/4001")),
        at,
        sequence);
  }

  @Test
  void announcedRoleIsFoundWithTheVerifiedPeerRecord() throws IOException {
    PeerDiscovery discovery = open();
    PeerDiscovery.Announcement a = discovery.announceRole("backend_developer", List.of("go"));
    assertThat(a.peerId()).isEqualTo(identity.peerId().toBase58());
    assertThat(a.sequence()).isEqualTo(clock.millis());
    assertThat(a.expiresAt()).isEqualTo(clock.instant().plus(PeerRecord.DEFAULT_LIFETIME));

    List<PeerDiscovery.FoundPeer> found = discovery.findPeersByRole("backend_developer", 10);
    assertThat(found).hasSize(1);
    PeerDiscovery.FoundPeer self = found.get(0);
    assertThat(self.peerId()).isEqualTo(identity.peerId().toBase58());
    assertThat(self.verified()).isTrue();
    assertThat(self.verification()).isEqualTo(PeerDiscovery.Verification.PROVEN);
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
    PeerRecord.Verified v = PeerRecord.verify(PeerRecord.dhtKey(identity.peerId()), stored);
    assertThat(v.peerId()).isEqualTo(identity.peerId());
    assertThat(v.roleClaimVerifies(roleKeys.signerKey("backend_developer").orElseThrow())).isTrue();
  }

  @Test
  void capabilitiesAddUpAndANewRoleReplacesTheOld() throws IOException {
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
  void nothingAnnouncedMeansNothingToReannounce() throws IOException {
    PeerDiscovery discovery = open();
    assertThat(discovery.reannounce()).isEmpty();
    assertThat(backend.counters().providerRecords()).isZero();
  }

  @Test
  void aProviderWithAForgedRecordIsReturnedUnverified() throws IOException {
    PeerDiscovery discovery = open();
    discovery.announceRole("backend_developer", List.of("go"));
    IdentityKey other = IdentityKey.generate();
    byte[] forged =
        PeerRecord.of(
                "evil/1.0",
                "backend_developer",
                List.of("go", "root"),
                List.of(Multiaddr.parse("/ip4/6.6.6.6/tcp/1")),
                clock.instant(),
                Long.MAX_VALUE)
            .sign(other, roleKeys.signer("backend_developer").orElseThrow()::sign);
    backend.putValue(
        new String(PeerRecord.dhtKey(identity.peerId()), StandardCharsets.UTF_8), forged);

    PeerDiscovery.FoundPeer p = discovery.findPeersByRole("backend_developer", 10).get(0);
    assertThat(p.verified()).isFalse();
    assertThat(p.verification()).isEqualTo(PeerDiscovery.Verification.NO_RECORD);
    assertThat(p.peerId()).isEqualTo(identity.peerId().toBase58());
    assertThat(p.role()).contains("backend_developer");
    assertThat(p.capabilities()).isEmpty();
    assertThat(p.agentVersion()).isEmpty();
    assertThat(p.addresses()).containsExactly("/ip4/10.0.0.7/tcp/4001");
  }

  @Test
  void sequenceNumbersIncreaseAcrossAnnouncementsRestartsAndAClockSteppingBack()
      throws IOException {
    PeerDiscovery discovery = open();
    long first = discovery.announceRole("qa_engineer", List.of()).sequence();
    assertThat(first).isEqualTo(clock.millis());
    long second = discovery.announceCapabilities(List.of("go")).sequence();
    assertThat(second).isEqualTo(first + 1); // same millisecond: the saved value + 1
    assertThat(Files.readString(dataDir.resolve(AnnouncementStore.FILE_NAME)))
        .contains("sequence " + second);

    clock.advance(Duration.ofHours(-3)); // the clock steps back across a restart
    PeerDiscovery restarted = open();
    long third = restarted.reannounce().orElseThrow().sequence();
    assertThat(third).isEqualTo(second + 1);
    clock.advance(Duration.ofHours(5));
    assertThat(restarted.reannounce().orElseThrow().sequence()).isEqualTo(clock.millis());
    assertThat(
            PeerRecord.verify(
                    PeerRecord.dhtKey(identity.peerId()), backend.getValue(peerKey()).orElseThrow())
                .record()
                .sequence())
        .isEqualTo(clock.millis());
  }

  @Test
  void aRoleWhoseIdentityTheNodeDoesNotHoldCannotBeAnnounced() throws IOException {
    roleKeys = onlyKeysFor(keysDir, "backend_developer");
    PeerDiscovery discovery = open();
    assertThatThrownBy(() -> discovery.announceRole("senior_architect", List.of("go")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.type()).isEqualTo("role-key-not-held");
              assertThat(e.properties())
                  .containsEntry("role", "senior_architect")
                  .containsEntry("field", "role");
              assertThat(e.detail()).contains("senior_architect", "holds no identity");
            });
    assertThat(discovery.state()).isEqualTo(AnnouncementStore.State.EMPTY);
    assertThat(backend.getValue(peerKey())).isEmpty();
    assertThat(discovery.announceRole("backend_developer", List.of()).role())
        .contains("backend_developer");
  }

  @Test
  void aSavedRoleWhoseKeyIsGoneIsLeftOutOfTheRecordButKept() throws IOException {
    new AnnouncementStore(dataDir)
        .save(new AnnouncementStore.State(Optional.of("devops_engineer"), List.of("helm"), 41));
    roleKeys = onlyKeysFor(keysDir, "backend_developer");
    PeerDiscovery discovery = open();
    PeerDiscovery.Announcement a = discovery.reannounce().orElseThrow();
    assertThat(a.role()).isEmpty();
    assertThat(a.capabilities()).containsExactly("helm");
    assertThat(discovery.state().role()).contains("devops_engineer");
    assertThat(discovery.findPeersByRole("devops_engineer", 10)).isEmpty();
    assertThat(discovery.findPeersByCapability("helm", 10))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.verification()).isEqualTo(PeerDiscovery.Verification.NO_ROLE);
              assertThat(p.verified()).isFalse();
              assertThat(p.capabilities()).containsExactly("helm");
            });
  }

  @Test
  void aRoleClaimSignedByAnotherKeyOfThatRoleIsNotVerified(@TempDir Path outsiderKeys)
      throws IOException {
    PeerDiscovery discovery = open();
    discovery.announceRole("senior_architect", List.of("go"));
    RoleSigner outsider = keysIn(outsiderKeys).signer("senior_architect").orElseThrow();
    putOwnRecord(claim("senior_architect", clock.instant(), Long.MAX_VALUE), outsider::sign);

    PeerDiscovery.FoundPeer p = discovery.findPeersByRole("senior_architect", 10).get(0);
    assertThat(p.verification()).isEqualTo(PeerDiscovery.Verification.BAD_ROLE_SIGNATURE);
    assertThat(p.verified()).isFalse();
    // the node-signed contents are shown, for what they are worth
    assertThat(p.agentVersion()).contains("chorus-dht/other");
    assertThat(p.role()).contains("senior_architect");
  }

  @Test
  void aRoleClaimReplayedFromAnotherPeerIsNotVerified() throws IOException {
    PeerDiscovery discovery = open();
    discovery.announceRole("senior_architect", List.of("go"));
    // another peer's genuine claim of the role, signed by the real role key
    IdentityKey other = IdentityKey.generate();
    PeerRecord same = claim("senior_architect", clock.instant(), Long.MAX_VALUE);
    byte[] genuine = same.sign(other, roleKeys.signer("senior_architect").orElseThrow()::sign);
    assertThat(
            PeerRecord.verify(PeerRecord.dhtKey(other.peerId()), genuine)
                .roleClaimVerifies(roleKeys.signerKey("senior_architect").orElseThrow()))
        .isTrue();
    byte[] roleSignature =
        Arrays.copyOfRange(genuine, genuine.length - 4 - 64 - 64, genuine.length - 4 - 64);
    putOwnRecord(same, m -> roleSignature);

    assertThat(discovery.findPeersByRole("senior_architect", 10).get(0).verification())
        .isEqualTo(PeerDiscovery.Verification.BAD_ROLE_SIGNATURE);
  }

  @Test
  void aClaimOfARoleWhoseKeyThisNodeDoesNotKnowIsNotVerified(@TempDir Path outsiderKeys)
      throws IOException {
    roleKeys = onlyKeysFor(keysDir, "backend_developer"); // no qa_engineer key, no signer in yaml
    PeerDiscovery discovery = open();
    backend.provide(DiscoveryKeys.role("qa_engineer"));
    RoleSigner someone = keysIn(outsiderKeys).signer("qa_engineer").orElseThrow();
    putOwnRecord(claim("qa_engineer", clock.instant(), 1), someone::sign);

    PeerDiscovery.FoundPeer p = discovery.findPeersByRole("qa_engineer", 10).get(0);
    assertThat(p.verification()).isEqualTo(PeerDiscovery.Verification.UNKNOWN_ROLE_KEY);
    assertThat(p.verified()).isFalse();
  }

  @Test
  void anExpiredRecordIsNotShown() throws IOException {
    PeerDiscovery discovery = open();
    discovery.announceRole("backend_developer", List.of("go"));
    Instant now = clock.instant();
    putOwnRecord(
        new PeerRecord(
            "chorus-dht/short",
            "backend_developer",
            List.of("go", "secret"),
            List.of(),
            now,
            Long.MAX_VALUE,
            now.plus(Duration.ofMinutes(1))),
        roleKeys.signer("backend_developer").orElseThrow()::sign);
    assertThat(discovery.findPeersByRole("backend_developer", 10).get(0).verified()).isTrue();

    clock.advance(Duration.ofMinutes(1));
    PeerDiscovery.FoundPeer p = discovery.findPeersByRole("backend_developer", 10).get(0);
    assertThat(p.verification()).isEqualTo(PeerDiscovery.Verification.EXPIRED);
    assertThat(p.verified()).isFalse();
    assertThat(p.agentVersion()).isEmpty();
    assertThat(p.capabilities()).isEmpty();
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsSaved() throws IOException {
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
