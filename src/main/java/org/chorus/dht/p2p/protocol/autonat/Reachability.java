package org.chorus.dht.p2p.protocol.autonat;

/** Whether other peers can dial this node, as AutoNAT has found out. */
public enum Reachability {
  /** Not decided yet (too few answers). */
  UNKNOWN,
  /** Peers managed to dial us back. */
  PUBLIC,
  /** Peers failed to dial us back. */
  PRIVATE
}
