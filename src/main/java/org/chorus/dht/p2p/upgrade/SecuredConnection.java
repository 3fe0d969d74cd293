package org.chorus.dht.p2p.upgrade;

import io.netty.channel.Channel;
import org.chorus.dht.p2p.core.PeerId;
import org.chorus.dht.p2p.core.ProtocolId;

/** Stage 1: encrypted and authenticated; the remote peer id is proven. */
public record SecuredConnection(
    Channel channel,
    boolean initiator,
    PeerId remotePeer,
    byte[] remotePublicKey,
    ProtocolId security) {}
