// The peer's HTTP control API: JSON in (query string, and for POST a JSON
// body), JSON out; 127.0.0.1 only. README.md beside interop-peer.mjs lists
// the routes and the fields they return.

import http from 'node:http'
import { peerIdFromString } from '@libp2p/peer-id'
import { Libp2pRecord } from '@libp2p/record'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { encodeMessage, encodeRecord, timeReceived } from './kad-codec.mjs'
import {
  b64, bytesView, connectionView, errorView, hex, isoTime, peerInfoView, peerStoreView, recordView,
  valueView, wireMessageView
} from './views.mjs'

const P2P_CODE = 421 // the /p2p/<id> multiaddr component

class HttpError extends Error {
  constructor (status, message) {
    super(message)
    this.name = status === 404 ? 'NotFound' : 'BadRequest'
    this.status = status
  }
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls pred every 50 ms until it holds or ms have passed; returns its last answer. */
async function waitUntil (pred, ms) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await pred()) return true
    await sleep(50)
  }
  return Boolean(await pred())
}

/** One request's parameters: the query string merged with the JSON body. */
class Params {
  constructor (fields) {
    this.fields = fields
  }

  has (name) {
    return this.fields[name] != null
  }

  str (name) {
    if (!this.has(name)) throw new HttpError(400, `missing parameter ${name}`)
    return String(this.fields[name])
  }

  int (name, dflt) {
    if (!this.has(name)) return dflt
    const n = Number(this.fields[name])
    if (!Number.isInteger(n)) throw new HttpError(400, `${name} is not an integer`)
    return n
  }

  bool (name) {
    return this.fields[name] === true || this.fields[name] === 'true'
  }

  peerId (name = 'peerId') {
    try {
      return peerIdFromString(this.str(name))
    } catch (err) {
      if (err instanceof HttpError) throw err
      throw new HttpError(400, `${name}: ${err.message}`)
    }
  }

  /** A peer id or a multiaddr: what dial, ping and /kad/rpc accept. */
  target () {
    if (this.has('addr')) return multiaddr(this.str('addr'))
    if (this.has('peerId')) return this.peerId()
    throw new HttpError(400, 'need addr or peerId')
  }

  /** key (UTF-8), keyHex or keyB64. */
  key () {
    if (this.has('key')) return new TextEncoder().encode(this.str('key'))
    if (this.has('keyHex')) return fromHex(this.str('keyHex'))
    if (this.has('keyB64')) return new Uint8Array(Buffer.from(this.str('keyB64'), 'base64'))
    throw new HttpError(400, 'need key, keyHex or keyB64')
  }

  /** value (UTF-8), valueHex or valueB64. */
  value () {
    if (this.has('value')) return new TextEncoder().encode(this.str('value'))
    if (this.has('valueHex')) return fromHex(this.str('valueHex'))
    if (this.has('valueB64')) return new Uint8Array(Buffer.from(this.str('valueB64'), 'base64'))
    throw new HttpError(400, 'need value, valueHex or valueB64')
  }

  /**
   * The CID of a provider record: cid as given, mhHex wrapped as CIDv1 raw, or for a plain key
   * CIDv1(raw, sha2-256(key)). On the wire only the multihash is sent (Message.key).
   */
  async providerCid () {
    if (this.has('cid')) return CID.parse(this.str('cid'))
    if (this.has('mhHex')) return CID.createV1(raw.code, Digest.decode(fromHex(this.str('mhHex'))))
    return CID.createV1(raw.code, await sha256.digest(this.key()))
  }

  signal (dfltMs = 15000) {
    return AbortSignal.timeout(this.int('timeoutMs', dfltMs))
  }
}

function fromHex (s) {
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new HttpError(400, `not hex: ${s}`)
  return new Uint8Array(Buffer.from(s, 'hex'))
}

/** Runs a kad-dht query; calls onEvent for each event. Returns the error that ended it, or null. */
async function drain (events, onEvent) {
  try {
    for await (const e of events) await onEvent(e)
    return null
  } catch (err) {
    return errorView(err)
  }
}

function queryError (e) {
  return { from: e.from?.toString(), ...errorView(e.error) }
}

/**
 * The route table. node is the libp2p node, dht its kad-dht service, datastore the node's
 * datastore and recordKey(keyBytes) the datastore key kad-dht stores a record under.
 */
export function controlRoutes ({ node, dht, datastore, recordKey, protocol, shutdown }) {
  const inTable = async (peerId) => (await dht.routingTable.find(peerId)) != null

  async function tablePeers () {
    const self = await sha256.digest(node.peerId.toMultihash().bytes)
    const size = dht.routingTable.size
    const ids = size === 0 ? [] : dht.routingTable.closestPeers(self.digest, { count: size })
    return ids.map(id => ({ peerId: id.toString() }))
  }

  async function peerEntry (peerId) {
    try {
      return peerStoreView(await node.peerStore.get(peerId))
    } catch (err) {
      if (err.name === 'NotFoundError') return null
      throw err
    }
  }

  /** Dials, waits for identify, and makes sure the peer is in the routing table. */
  async function dialAndAdd (addr, waitMs = 5000, signal = AbortSignal.timeout(15000)) {
    const conn = await node.dial(multiaddr(addr), { signal })
    const peerId = conn.remotePeer
    const identified = await waitUntil(async () => ((await peerEntry(peerId))?.protocols.length ?? 0) > 0, waitMs)
    // kad-dht adds a peer whose identify lists its protocol, after pinging it; add it
    // ourselves if that has not happened (yet), e.g. when the peer does not list kad
    let addError = null
    if (!(await inTable(peerId))) {
      try {
        await dht.routingTable.add(peerId, { signal: AbortSignal.timeout(waitMs) })
      } catch (err) {
        addError = errorView(err)
      }
    }
    return {
      peerId: peerId.toString(),
      connection: connectionView(conn),
      identified,
      peer: await peerEntry(peerId),
      inRoutingTable: await waitUntil(() => inTable(peerId), 1000),
      routingTableAddError: addError
    }
  }

  const routes = {
    'GET /health': async () => ({ ok: true }),

    'GET /info': async () => ({
      peerId: node.peerId.toString(),
      addrs: node.getMultiaddrs().map(String),
      protocols: node.getProtocols(),
      dhtProtocol: protocol,
      dhtMode: dht.getMode(),
      connections: node.getConnections().length,
      routingTableSize: dht.routingTable.size
    }),

    // --- connections

    'POST /dial': async (p) => dialAndAdd(p.str('addr'), p.int('waitMs', 5000), p.signal()),

    'POST /hangup': async (p) => {
      await node.hangUp(p.peerId())
      return { ok: true }
    },

    'POST /ping': async (p) => {
      const rttMs = await node.services.ping.ping(p.target(), { signal: p.signal(10000) })
      return { ok: true, rttMs }
    },

    'GET /connections': async () => node.getConnections().map(connectionView),

    'GET /peer': async (p) => {
      const entry = await peerEntry(p.peerId())
      if (entry == null) throw new HttpError(404, 'peer not in the peer store')
      return entry
    },

    // --- routing table

    'GET /routing-table': async () => ({ size: dht.routingTable.size, peers: await tablePeers() }),

    'GET /wait-routing-table': async (p) => {
      const ms = p.int('timeoutMs', 10000)
      const ok = p.has('peerId')
        ? await waitUntil(() => inTable(p.peerId()), ms)
        : await waitUntil(() => dht.routingTable.size >= p.int('min', 1), ms)
      return { ok, size: dht.routingTable.size, peers: await tablePeers() }
    },

    // --- values

    'POST /put': async (p) => {
      const key = p.key()
      const value = p.value()
      if (p.bool('localOnly')) {
        // only into this node's datastore, where kad-dht's GET_VALUE handler finds it
        await datastore.put(recordKey(key), new Libp2pRecord(key, value, new Date()).serialize())
        return { ok: true, acceptedBy: [], errors: [] }
      }
      const acceptedBy = []
      const errors = []
      const error = await drain(dht.put(key, value, { signal: p.signal() }), (e) => {
        // a PUT_VALUE is accepted when the peer echoes the record back with our value
        if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE' &&
            e.record != null && Buffer.compare(e.record.value, value) === 0) {
          acceptedBy.push(e.from.toString())
        }
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
      })
      return { ok: error == null, acceptedBy, errors, ...(error ? { error } : {}) }
    },

    'GET /get': async (p) => {
      const values = []
      const errors = []
      let best = null
      const error = await drain(dht.get(p.key(), { signal: p.signal() }), (e) => {
        if (e.name === 'PEER_RESPONSE' && e.record != null) {
          values.push({ from: e.from.toString(), ...valueView(e.record.value), timeReceived: isoTime(e.record.timeReceived) })
        }
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
        if (e.name === 'VALUE') best = e
      })
      return {
        found: best != null,
        ...(best == null ? {} : { from: best.from.toString(), ...valueView(best.value) }),
        values,
        errors,
        ...(error ? { error } : {})
      }
    },

    'GET /local': async (p) => {
      const key = p.key()
      let stored
      try {
        stored = await datastore.get(recordKey(key))
      } catch (err) {
        if (err.name === 'NotFoundError') return { found: false }
        throw err
      }
      const rec = Libp2pRecord.deserialize(stored)
      return {
        found: true,
        recordB64: b64(stored),
        ...bytesView('key', rec.key),
        ...valueView(rec.value),
        timeReceived: isoTime(rec.timeReceived)
      }
    },

    // --- providers

    'POST /provide': async (p) => {
      const cid = await p.providerCid()
      const sentTo = []
      const errors = []
      const error = await drain(dht.provide(cid, { signal: p.signal() }), (e) => {
        if (e.name === 'PEER_RESPONSE' && e.messageName === 'ADD_PROVIDER') sentTo.push(e.from.toString())
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
      })
      return { ok: error == null, cid: cid.toString(), multihashHex: hex(cid.multihash.bytes), sentTo, errors, ...(error ? { error } : {}) }
    },

    'GET /providers': async (p) => {
      const cid = await p.providerCid()
      const byId = new Map()
      const note = (info, from) => {
        const id = info.id.toString()
        const entry = byId.get(id) ?? { peerId: id, addrs: [], reportedBy: [] }
        for (const a of (info.multiaddrs ?? []).map(String)) if (!entry.addrs.includes(a)) entry.addrs.push(a)
        if (from != null && !entry.reportedBy.includes(from)) entry.reportedBy.push(from)
        byId.set(id, entry)
      }
      const errors = []
      const error = await drain(dht.findProviders(cid, { signal: p.signal() }), (e) => {
        // PEER_RESPONSE has every provider a peer (or the local store) named; PROVIDER only new ones
        if (e.name === 'PEER_RESPONSE' || e.name === 'PROVIDER') {
          for (const info of e.providers ?? []) note(info, e.from?.toString())
        }
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
      })
      return { cid: cid.toString(), multihashHex: hex(cid.multihash.bytes), providers: [...byId.values()], errors, ...(error ? { error } : {}) }
    },

    // --- peer routing

    'GET /closest': async (p) => {
      const key = p.has('peerId') ? p.peerId().toMultihash().bytes : p.key()
      const peers = []
      const errors = []
      const error = await drain(dht.getClosestPeers(key, { signal: p.signal() }), async (e) => {
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
        if (e.name !== 'FINAL_PEER') return
        const view = peerInfoView(e.peer)
        // the query event may carry no addresses; the peer store has what js dialled
        if (view.addrs.length === 0) view.addrs = (await peerEntry(e.peer.id))?.addrs ?? []
        peers.push(view)
      })
      return { keyHex: hex(key), peers, errors, ...(error ? { error } : {}) }
    },

    'GET /find-peer': async (p) => {
      const id = p.peerId()
      let peer = null
      const errors = []
      const error = await drain(dht.findPeer(id, { signal: p.signal() }), (e) => {
        if (e.name === 'FINAL_PEER' && e.peer.id.equals(id)) peer = peerInfoView(e.peer)
        if (e.name === 'QUERY_ERROR') errors.push(queryError(e))
      })
      return { found: peer != null, peer, errors, ...(error ? { error } : {}) }
    },

    // --- one raw kad request

    // Sends one kad message on a new stream and returns the request and the response, raw and
    // decoded, past js kad-dht's query logic. Fields: peerId or addr; type; key/keyHex/keyB64, or
    // cid/mhHex/key for the provider types, or findPeerId for FIND_NODE; value... for PUT_VALUE
    // (timeReceived optional); requestHex sends those bytes instead; protocol (default: ours);
    // expectResponse (default: every type but ADD_PROVIDER); timeoutMs.
    'POST /kad/rpc': async (p) => {
      const type = p.has('type') ? p.str('type').toUpperCase() : 'FIND_NODE'
      const request = p.has('requestHex') ? fromHex(p.str('requestHex')) : await kadRequest(type, p)
      const expectResponse = p.has('expectResponse') ? p.bool('expectResponse') : type !== 'ADD_PROVIDER'
      const signal = p.signal(10000)
      const stream = await node.dialProtocol(p.target(), p.has('protocol') ? p.str('protocol') : protocol, { signal })
      const framed = lpStream(stream)
      try {
        await framed.write(request, { signal })
        const response = expectResponse ? (await framed.read({ signal })).subarray() : null
        await stream.close({ signal })
        return {
          ok: true,
          requestHex: hex(request),
          request: wireMessageView(request),
          ...(response == null ? {} : { responseHex: hex(response), response: wireMessageView(response) })
        }
      } catch (err) {
        stream.abort(err)
        return { ok: false, requestHex: hex(request), error: errorView(err) }
      }
    },

    'POST /shutdown': async () => {
      setTimeout(() => shutdown('POST /shutdown'), 10)
      return { ok: true }
    }
  }

  async function kadRequest (type, p) {
    let key
    if (type === 'ADD_PROVIDER' || type === 'GET_PROVIDERS') key = (await p.providerCid()).multihash.bytes
    else if (type === 'FIND_NODE' && p.has('findPeerId')) key = p.peerId('findPeerId').toMultihash().bytes
    else if (type !== 'PING' || p.has('key') || p.has('keyHex') || p.has('keyB64')) key = p.key()
    const msg = { type, key }
    if (type === 'PUT_VALUE') {
      const time = p.has('timeReceived') ? p.str('timeReceived') : timeReceived()
      msg.record = encodeRecord({ key, value: p.value(), timeReceived: time })
    }
    if (type === 'ADD_PROVIDER') {
      // ourselves, with our listen addresses (without /p2p/<id>)
      const addrs = node.getMultiaddrs().map(a => a.decapsulateCode(P2P_CODE).bytes)
      msg.providers = [{ id: node.peerId.toMultihash().bytes, addrs }]
    }
    if (p.has('clusterLevel')) msg.clusterLevel = p.int('clusterLevel')
    return encodeMessage(msg)
  }

  return { routes, dialAndAdd }
}

async function readJson (req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'the body is not JSON')
  }
}

/** Serves the routes on 127.0.0.1:port (0: any free port); resolves to the listening server. */
export function serveControlApi (routes, port, log) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    const reply = (status, body) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    const route = routes[`${req.method} ${url.pathname}`]
    if (route == null) {
      reply(404, { error: { name: 'NotFound', message: `no route ${req.method} ${url.pathname}` } })
      return
    }
    try {
      const body = req.method === 'POST' ? await readJson(req) : {}
      reply(200, await route(new Params({ ...Object.fromEntries(url.searchParams), ...body })))
    } catch (err) {
      log(`${req.method} ${url.pathname}: ${err.stack ?? err}`)
      reply(err.status ?? 500, { error: errorView(err) })
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}
