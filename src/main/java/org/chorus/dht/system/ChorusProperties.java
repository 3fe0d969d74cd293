package org.chorus.dht.system;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Spring properties under {@code chorus.*} (DESIGN.md, "Configuration keys"). They only carry
 * values; each feature's configuration maps them onto its own immutable config object, which holds
 * the defaults' meaning and validates them.
 *
 * @param dataDir everything durable: keys, stores, audit log, initial token
 * @param nodeId node id in audit lines and metadata; the host name when blank
 * @param rolesFile roles.yaml; the copy built into the jar when the file does not exist
 * @param roleKeysDir age identity files, {@code <role>.key}; {@code <dataDir>/role-keys} when unset
 */
@ConfigurationProperties("chorus")
public record ChorusProperties(
    @DefaultValue("./data") Path dataDir,
    String nodeId,
    @DefaultValue("config/roles.yaml") Path rolesFile,
    Path roleKeysDir,
    @DefaultValue Security security,
    @DefaultValue Storage storage,
    @DefaultValue Cache cache,
    @DefaultValue Dht dht,
    @DefaultValue Replication replication) {

  /** The configured node id, else the host name, else {@code chorus-node}. */
  public String effectiveNodeId() {
    if (nodeId != null && !nodeId.isBlank()) {
      return nodeId;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "chorus-node";
    }
  }

  public Path effectiveRoleKeysDir() {
    return roleKeysDir != null ? roleKeysDir : dataDir.resolve("role-keys");
  }

  /**
   * @param initialRole role of the generated first-start token
   * @param tokens API tokens; when empty, a first-start token is generated
   */
  public record Security(
      @DefaultValue("senior_architect") String initialRole, @DefaultValue List<Token> tokens) {}

  /**
   * One API token, stored as the lower-case hex SHA-256 of the token text ({@code printf %s
   * "$TOKEN" | sha256sum}).
   */
  public record Token(String principal, String role, boolean admin, String sha256) {}

  /**
   * @param maxContentSize largest plaintext accepted by a store (413 above it)
   * @param maxRequestSize largest request body; derived from maxContentSize when unset
   * @param defaultSearchLimit limit of search and by-role lists when none is given
   * @param maxSearchLimit largest limit a caller may ask for
   * @param tombstoneTtl how long a delete's tombstone is republished before the key is forgotten
   */
  public record Storage(
      @DefaultValue("1MB") DataSize maxContentSize,
      DataSize maxRequestSize,
      @DefaultValue("100") int defaultSearchLimit,
      @DefaultValue("1000") int maxSearchLimit,
      @DefaultValue("30d") Duration tombstoneTtl) {}

  /**
   * @param ttl time a decrypted item stays cached after it was loaded
   * @param maxSize bound on the summed plaintext size of cached items
   */
  public record Cache(@DefaultValue("10m") Duration ttl, @DefaultValue("64MB") DataSize maxSize) {}

  /**
   * @param listen libp2p listen multiaddrs
   * @param bootstrapPeers multiaddrs; empty means the embedded single-node backend
   * @param protocolPrefix kad protocol prefix
   * @param mode client, server or auto
   * @param backend {@code local}, {@code network}, or {@code auto} (network when bootstrap peers
   *     are configured, else local)
   * @param localValueTtl how long the embedded backend keeps a value. Long by default: on a single
   *     node nothing republishes, so the kad rule (48 h, refreshed by republishing) would silently
   *     drop stored content after two days
   * @param autoBootstrapInterval retry of the bootstrap peers while the routing table is empty
   * @param discoveryInterval random-walk lookup (0 disables)
   * @param refreshInterval routing table refresh (0 disables)
   * @param stalePeerTimeout a routing-table peer silent for longer is pinged, and evicted if dead
   * @param staleCheckInterval how often silent peers are looked for (0 disables)
   * @param expireInterval expiry sweep of the local record and provider stores
   * @param allowedPeers peer ids: the only peers this node connects with, either direction (empty:
   *     anyone not denied)
   * @param deniedPeers peer ids this node never connects with, either direction (more at run time:
   *     {@code POST /api/v1/admin/peers/deny})
   * @param limits {@code chorus.dht.limits.*}: what peers may cost this node (connections, memory,
   *     kad)
   * @param swarmKeyFile a swarm key file (pnet PSK v1, as Kubo and js-libp2p write it): when set,
   *     the node is in that private network and connects only to peers with the same key; unset
   *     (the default), the public network
   */
  public record Dht(
      @DefaultValue("/ip4/0.0.0.0/tcp/4001") List<String> listen,
      @DefaultValue List<String> bootstrapPeers,
      @DefaultValue("/CHORUS") String protocolPrefix,
      @DefaultValue("auto") String mode,
      @DefaultValue("3650d") Duration localValueTtl,
      @DefaultValue("auto") String backend,
      @DefaultValue("30s") Duration autoBootstrapInterval,
      @DefaultValue("60s") Duration discoveryInterval,
      @DefaultValue("10m") Duration refreshInterval,
      @DefaultValue("10m") Duration stalePeerTimeout,
      @DefaultValue("1m") Duration staleCheckInterval,
      @DefaultValue("10m") Duration expireInterval,
      @DefaultValue List<String> allowedPeers,
      @DefaultValue List<String> deniedPeers,
      @DefaultValue Limits limits,
      Path swarmKeyFile) {}

  /**
   * {@code chorus.dht.limits.*}: mapped onto the host's validated {@code ConnectionLimits} and
   * {@code HostConfig}, which document each knob (the defaults here are theirs).
   *
   * @param maxInboundConnections inbound connections open or in their handshake
   * @param maxOutboundConnections outbound connections open or being dialled (apart from inbound)
   * @param maxInboundPerIp inbound connections from one source IP (IPv6: one /64)
   * @param maxConnectionsPerPeer connections to one peer id, both directions
   * @param handshakeTimeout the whole upgrade of an inbound connection
   * @param maxStreamsPerConnection yamux streams open at once on one connection
   * @param maxConnectionMemory bytes one connection may make the node buffer
   * @param maxMemory bytes all connections together may make the node buffer
   * @param maxPeers peer store entries
   * @param peerTtl peer store entries not seen for this long are dropped
   * @param peerGcInterval how often they are dropped
   * @param kad {@code chorus.dht.limits.kad.*}: what kad peers may cost this node
   */
  public record Limits(
      @DefaultValue("512") int maxInboundConnections,
      @DefaultValue("256") int maxOutboundConnections,
      @DefaultValue("8") int maxInboundPerIp,
      @DefaultValue("8") int maxConnectionsPerPeer,
      @DefaultValue("10s") Duration handshakeTimeout,
      @DefaultValue("256") int maxStreamsPerConnection,
      @DefaultValue("16MB") DataSize maxConnectionMemory,
      @DefaultValue("128MB") DataSize maxMemory,
      @DefaultValue("10000") int maxPeers,
      @DefaultValue("1h") Duration peerTtl,
      @DefaultValue("5m") Duration peerGcInterval,
      @DefaultValue KadLimits kad) {}

  // ---- chorus.dht.limits.kad.* (kad request pool, per-peer rate and record quota) ----

  /**
   * {@code chorus.dht.limits.kad.*}, mapped onto {@code KadConfig.Limits}, which holds the defaults
   * (an unset property keeps its default) and validates. Sizes take {@code 64MB}.
   *
   * @param workerThreads threads working peers' kad requests (validation, store writes)
   * @param workQueue requests waiting for a worker at most; more are refused (stream reset)
   * @param workQueueBytes bytes of waiting requests at most
   * @param requestsPerSecond kad requests per second one peer may send, sustained
   * @param requestBurst requests one peer may send at once
   * @param maxRateLimitedPeers peers whose rate-limit buckets are remembered
   * @param maxRecordsPerPeer records one peer may have stored here through its PUTs
   * @param maxBytesPerPeer bytes (keys and values) one peer may have stored here
   */
  public record KadLimits(
      Integer workerThreads,
      Integer workQueue,
      DataSize workQueueBytes,
      Double requestsPerSecond,
      Integer requestBurst,
      Integer maxRateLimitedPeers,
      Integer maxRecordsPerPeer,
      DataSize maxBytesPerPeer) {}

  // ---- end of chorus.dht.limits.kad.* ----

  /**
   * {@code chorus.replication.*}: mapped onto the replication feature's validated config, which
   * documents each knob.
   */
  public record Replication(
      @DefaultValue("3") int factor,
      @DefaultValue("12h") Duration reprovideInterval,
      @DefaultValue("1h") Duration cleanupInterval,
      @DefaultValue("24h") Duration providerTtl,
      @DefaultValue("10") int maxProvidersPerKey,
      @DefaultValue("5") int maxConcurrentReplications,
      @DefaultValue("true") boolean autoReplication,
      @DefaultValue("true") boolean reprovideEnabled,
      @DefaultValue("1s") Duration tickInterval,
      @DefaultValue("30s") Duration repairBackoff,
      @DefaultValue("1h") Duration maxRepairBackoff,
      @DefaultValue("1000000") int maxKeys) {}
}
