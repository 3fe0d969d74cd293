package org.chorus.dht.p2p.core;

/** A protocol id together with the handler serving it, as registered on a host. */
public record ProtocolBinding(ProtocolId protocol, StreamHandler handler) {}
