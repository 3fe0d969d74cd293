package org.chorus.dht.p2p.upgrade;

import io.netty.channel.Channel;

/** Stage 0: a connected transport channel, nothing negotiated yet. */
public record RawConnection(Channel channel, boolean initiator) {}
