package org.chorus.dht.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chorus.dht.backend.NetworkDht;
import org.chorus.dht.envelope.EnvelopeCodec;
import org.chorus.dht.envelope.EnvelopeMetadata;
import org.chorus.dht.envelope.EnvelopeSigner;
import org.chorus.dht.kad.Dht;
import org.chorus.dht.kad.KadConfig;
import org.chorus.dht.kad.query.QueryTimer;
import org.chorus.dht.kad.records.ChorusValidators;
import org.chorus.dht.kad.records.MvProviderStore;
import org.chorus.dht.kad.records.MvRecordStore;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.p2p.host.ConnectionLimits;
import org.chorus.dht.p2p.host.Host;
import org.chorus.dht.p2p.host.HostConfig;
import org.chorus.dht.ucxl.UcxlAddress;

/**
 * Real network nodes for fault tests, wired as {@code system.NetworkBackendConfiguration} wires
 * them (host on loopback, persistent record and provider stores in a data directory, the CHORUS
 * validators, the system query timer) without Spring; and signed content envelopes to store in
 * them.
 */
public final class NetworkNodes {
  public static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
  public static final KadConfig KAD =
      KadConfig.builder().mode(KadConfig.Mode.SERVER).build().validate();

  /**
   * The host limits of a test node: the defaults, but every node of a test cluster dials from
   * 127.0.0.1, so the per-IP inbound cap (8) would refuse the ninth; this one holds 64.
   */
  public static final ConnectionLimits LIMITS =
      ConnectionLimits.builder().maxInboundPerIp(64).build();

  public static final Duration OPERATION_TIMEOUT =
      KadConfig.DEFAULT_QUERY_TIMEOUT.plus(Duration.ofSeconds(5));

  /** The node key that signs the test envelopes. */
  public static final EnvelopeSigner SIGNER = signer();

  public static final EnvelopeCodec CODEC = new EnvelopeCodec(8 << 20);

  private NetworkNodes() {}

  /** A started, listening network backend over {@code dataDir}. */
  public static NetworkDht start(Path dataDir, IdentityKey identity) throws Exception {
    return start(dataDir, identity, KAD);
  }

  /** As {@link #start(Path, IdentityKey)} with kad knobs of its own. */
  public static NetworkDht start(Path dataDir, IdentityKey identity, KadConfig kad)
      throws Exception {
    return start(dataDir, identity, kad, OPERATION_TIMEOUT);
  }

  /** As {@link #start(Path, IdentityKey, KadConfig)} with its own backend operation timeout. */
  public static NetworkDht start(
      Path dataDir, IdentityKey identity, KadConfig kad, Duration operationTimeout)
      throws Exception {
    return start(dataDir, identity, kad, operationTimeout, QueryTimer.SYSTEM);
  }

  /**
   * As {@link #start(Path, IdentityKey, KadConfig, Duration)} with the kad layer's timer (query
   * wakes, RPC timeouts) of its own, e.g. a {@link ManualQueryTimer}.
   */
  public static NetworkDht start(
      Path dataDir,
      IdentityKey identity,
      KadConfig kad,
      Duration operationTimeout,
      QueryTimer timer)
      throws Exception {
    return start(
        dataDir,
        identity,
        kad,
        operationTimeout,
        timer,
        HostConfig.builder().ioThreads(1).limits(LIMITS).build());
  }

  /** As the other {@code start}s with host knobs of its own (the default limits, a swarm key). */
  public static NetworkDht start(
      Path dataDir,
      IdentityKey identity,
      KadConfig kad,
      Duration operationTimeout,
      QueryTimer timer,
      HostConfig hostConfig)
      throws Exception {
    Clock clock = Clock.systemUTC();
    Host host = Host.create(hostConfig, identity);
    host.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MvRecordStore records = MvRecordStore.openInDataDir(dataDir, clock);
    MvProviderStore providers = MvProviderStore.openInDataDir(dataDir, clock);
    Dht dht =
        new Dht(
            host,
            kad,
            records,
            providers,
            ChorusValidators.create(TestRoles.AUTHORITY),
            clock,
            timer);
    dht.start();
    return new NetworkDht(host, dht, records, providers, kad.mode(), 3, operationTimeout, clock);
  }

  /**
   * Starts {@code n} nodes with data directories {@code root/node-<i>}, each with a new identity,
   * and bootstraps nodes 1 to n-1 from node 0, adding them to {@code nodes} as they start (so a
   * failure halfway leaves the started ones there for the caller's clean-up).
   */
  public static void startCluster(
      Path root, int n, KadConfig kad, List<NetworkDht> nodes, Duration wait) throws Exception {
    for (int i = 0; i < n; i++) {
      nodes.add(start(root.resolve("node-" + i), IdentityKey.generate(), kad));
    }
    Multiaddr first = addr(nodes.get(0));
    for (int i = 1; i < n; i++) {
      nodes.get(i).bootstrap(List.of(first)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Closes {@code node}; an H2 assertion failure while compacting on close (only with {@code -ea};
   * h2database issues 4048 and 4086) is reported, not thrown: the data was committed before.
   */
  public static void closeQuietly(NetworkDht node) {
    try {
      node.close();
    } catch (org.h2.mvstore.MVStoreException e) {
      System.err.println("closing " + node.host().peerId() + ": " + e);
    }
  }

  /** The node's dialable address, with {@code /p2p}. */
  public static Multiaddr addr(NetworkDht node) {
    Host h = node.host();
    return h.listenAddrs().get(0).withPeerId(h.peerId());
  }

  /** The DHT key of a UCXL address. */
  public static String key(String address) {
    return UcxlAddress.parse(address).dhtKey();
  }

  /**
   * A signed envelope for {@code address} (its "ciphertext" is {@code text}), version 1, created by
   * the address's role (its test signing key) and written by {@link #SIGNER}.
   */
  public static byte[] envelope(String address, String text) {
    return envelope(address, text, 1);
  }

  /** As {@link #envelope(String, String)} at {@code version}. */
  public static byte[] envelope(String address, String text, long version) {
    byte[] ciphertext = text.getBytes(StandardCharsets.UTF_8);
    String role = UcxlAddress.parse(address).role();
    EnvelopeMetadata m =
        new EnvelopeMetadata(
            address,
            role,
            EnvelopeCodec.peerIdOf(SIGNER.publicKey()),
            List.of(role),
            "text/plain",
            Instant.now(),
            ciphertext.length,
            EnvelopeCodec.sha256Hex(ciphertext),
            3,
            version);
    return CODEC.encode(EnvelopeCodec.seal(m, ciphertext, TestRoles.signer(role), SIGNER));
  }

  /** A fresh node key for signing envelopes. */
  public static EnvelopeSigner signer() {
    return TestRoles.node(IdentityKey.generate());
  }
}
