/**
 * The kad-dht wire format: domain records ({@link org.chorus.dht.kad.wire.KadMessage}, {@link
 * org.chorus.dht.kad.wire.KadPeer}, {@link org.chorus.dht.kad.wire.KadRecord}) and {@link
 * org.chorus.dht.kad.wire.KadCodec}, the only place that touches the generated protobuf types.
 */
package org.chorus.dht.kad.wire;
