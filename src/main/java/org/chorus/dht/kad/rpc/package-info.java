/**
 * The kad-dht RPC over libp2p streams: {@link org.chorus.dht.kad.rpc.KadRequestHandler} serves
 * {@code {prefix}/kad/1.0.0} (server mode) and {@link org.chorus.dht.kad.rpc.KadMessenger} sends
 * one request per stream. Neither knows the routing table: the handler asks a {@link
 * org.chorus.dht.kad.rpc.ClosestPeers} for closer peers.
 */
package org.chorus.dht.kad.rpc;
