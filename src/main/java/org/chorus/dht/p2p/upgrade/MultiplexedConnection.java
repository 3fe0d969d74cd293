package org.chorus.dht.p2p.upgrade;

import org.chorus.dht.p2p.core.ProtocolId;
import org.chorus.dht.p2p.mux.MuxedSession;

/** Stage 2: secured and multiplexed; ready for protocol streams. */
public record MultiplexedConnection(
    SecuredConnection secured, MuxedSession session, ProtocolId muxer) {}
