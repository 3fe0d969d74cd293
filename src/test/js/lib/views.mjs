// JSON views of bytes, peers, connections and kad messages for the control API.

import { peerIdFromMultihash } from '@libp2p/peer-id'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { decodeMessage, decodeRecord } from './kad-codec.mjs'

export const hex = (bytes) => Buffer.from(bytes).toString('hex')
export const b64 = (bytes) => Buffer.from(bytes).toString('base64')

/** The bytes as UTF-8, or undefined if they are not valid UTF-8. */
export function utf8 (bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** {<name>Hex, <name>Utf8 (when the bytes are text)}, or {} for no bytes. */
export function bytesView (name, bytes) {
  if (bytes == null) return {}
  return { [`${name}Hex`]: hex(bytes), [`${name}Utf8`]: utf8(bytes) }
}

/** {valueB64, valueUtf8 (when text)}. */
export function valueView (bytes) {
  return { valueB64: b64(bytes), valueUtf8: utf8(bytes) }
}

/** A date as ISO 8601, or null when it is missing or invalid. */
export const isoTime = (d) => (d instanceof Date && !isNaN(d)) ? d.toISOString() : null

export function connectionView (c) {
  return {
    id: c.id,
    peerId: c.remotePeer.toString(),
    remoteAddr: c.remoteAddr.toString(),
    direction: c.direction,
    encryption: c.encryption,
    multiplexer: c.multiplexer,
    status: c.status,
    streams: c.streams.map(s => s.protocol).filter(Boolean)
  }
}

/** A peer-store entry: what js learnt about a peer, identify included. */
export function peerStoreView (peer) {
  const metadata = {}
  for (const [k, v] of peer.metadata) metadata[k] = utf8(v) ?? b64(v)
  return {
    peerId: peer.id.toString(),
    publicKeyB64: peer.id.publicKey == null ? null : b64(publicKeyToProtobuf(peer.id.publicKey)),
    addrs: peer.addresses.map(a => a.multiaddr.toString()),
    protocols: peer.protocols,
    metadata
  }
}

/** A PeerInfo of a kad-dht query event: {id, multiaddrs}. */
export function peerInfoView (info) {
  return { peerId: info.id.toString(), addrs: (info.multiaddrs ?? []).map(String) }
}

/** A Peer of a raw kad message: {id (multihash bytes), addrs (binary multiaddrs)}. */
function wirePeerView (p) {
  let peerId = null
  try {
    peerId = peerIdFromMultihash(Digest.decode(p.id)).toString()
  } catch {
    // not a peer id: idHex still shows what was sent
  }
  const addrs = p.addrs.map(a => {
    try {
      return multiaddr(a).toString()
    } catch {
      return `invalid:${hex(a)}`
    }
  })
  return { peerId, idHex: hex(p.id), addrs, connection: p.connection }
}

export function recordView (bytes) {
  const r = decodeRecord(bytes)
  return { ...bytesView('key', r.key), ...valueView(r.value), timeReceived: r.timeReceived }
}

/** A raw kad message, decoded field by field. */
export function wireMessageView (bytes) {
  const m = decodeMessage(bytes)
  return {
    type: m.type,
    ...bytesView('key', m.key),
    ...(m.record == null ? {} : { recordHex: hex(m.record), record: recordView(m.record) }),
    closer: m.closer.map(wirePeerView),
    providers: m.providers.map(wirePeerView),
    ...(m.clusterLevel == null ? {} : { clusterLevel: m.clusterLevel })
  }
}

export function errorView (err) {
  return { name: err?.name ?? 'Error', message: err?.message ?? String(err) }
}
