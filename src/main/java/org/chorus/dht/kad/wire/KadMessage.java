package org.chorus.dht.kad.wire;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One kad-dht {@code Message} (libp2p/specs kad-dht, "RPC messages"). Requests and responses share
 * the type; which fields matter depends on {@link #type()}. Immutable.
 */
public final class KadMessage {
  /** {@code Message.MessageType}; the ordinal is the wire number. */
  public enum Type {
    PUT_VALUE,
    GET_VALUE,
    ADD_PROVIDER,
    GET_PROVIDERS,
    FIND_NODE,
    PING
  }

  private final Type type;
  private final byte[] key;
  private final KadRecord record;
  private final List<KadPeer> closerPeers;
  private final List<KadPeer> providerPeers;
  private final int clusterLevel;

  public KadMessage(
      Type type,
      byte[] key,
      KadRecord record,
      List<KadPeer> closerPeers,
      List<KadPeer> providerPeers,
      int clusterLevel) {
    this.type = Objects.requireNonNull(type, "type");
    this.key = key.clone();
    this.record = record;
    this.closerPeers = List.copyOf(closerPeers);
    this.providerPeers = List.copyOf(providerPeers);
    this.clusterLevel = clusterLevel;
  }

  /** A request of {@code type} for {@code key} with no record and no peers. */
  public static KadMessage request(Type type, byte[] key) {
    return new KadMessage(type, key, null, List.of(), List.of(), 0);
  }

  public static KadMessage putValue(KadRecord record) {
    return new KadMessage(Type.PUT_VALUE, record.key(), record, List.of(), List.of(), 0);
  }

  public static KadMessage addProvider(byte[] multihash, KadPeer provider) {
    return new KadMessage(Type.ADD_PROVIDER, multihash, null, List.of(), List.of(provider), 0);
  }

  public Type type() {
    return type;
  }

  public byte[] key() {
    return key.clone();
  }

  public Optional<KadRecord> record() {
    return Optional.ofNullable(record);
  }

  public List<KadPeer> closerPeers() {
    return closerPeers;
  }

  public List<KadPeer> providerPeers() {
    return providerPeers;
  }

  /** {@code clusterLevelRaw}; unused by the DHT, kept for round-trips. */
  public int clusterLevel() {
    return clusterLevel;
  }

  public KadMessage withRecord(KadRecord r) {
    return new KadMessage(type, key, r, closerPeers, providerPeers, clusterLevel);
  }

  public KadMessage withCloserPeers(List<KadPeer> peers) {
    return new KadMessage(type, key, record, peers, providerPeers, clusterLevel);
  }

  public KadMessage withProviderPeers(List<KadPeer> peers) {
    return new KadMessage(type, key, record, closerPeers, peers, clusterLevel);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadMessage m
        && type == m.type
        && Arrays.equals(key, m.key)
        && Objects.equals(record, m.record)
        && closerPeers.equals(m.closerPeers)
        && providerPeers.equals(m.providerPeers)
        && clusterLevel == m.clusterLevel;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(key), record, closerPeers, providerPeers);
  }

  @Override
  public String toString() {
    return "KadMessage["
        + type
        + " key="
        + HexFormat.of().formatHex(key)
        + (record != null ? " " + record : "")
        + " closer="
        + closerPeers.size()
        + " providers="
        + providerPeers.size()
        + "]";
  }
}
