#!/usr/bin/env node
// chorus-dht's js-libp2p interop peer: TCP, Noise, Yamux, identify, ping and
// kad-dht in server mode (records under /CHORUS/ accepted as they are), an
// optional private network (--psk), and an HTTP control API on 127.0.0.1 that
// the Java tests drive (lib/control-api.mjs). See README.md in this folder.
//
// stdout: one JSON line, {"event":"ready",...}, once the node listens (and the
// --bootstrap peers are dialled). stderr: diagnostics.

import './lib/node20.mjs' // first: libp2p needs Promise.withResolvers
import { readFileSync } from 'node:fs'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import { base32 } from 'multiformats/bases/base32'
import { controlRoutes, serveControlApi } from './lib/control-api.mjs'
import { parseFlags, usage } from './lib/flags.mjs'
import { errorView } from './lib/views.mjs'

const log = (msg) => process.stderr.write(`[interop-peer] ${msg}\n`)

function fail (msg) {
  process.stderr.write(`interop-peer: ${msg}\n`)
  process.exit(2)
}

let opts
try {
  opts = parseFlags(process.argv.slice(2))
} catch (err) {
  fail(`${err.message}\n${usage()}`)
}
if (opts.help) {
  process.stdout.write(`${usage()}\n`)
  process.exit(0)
}

/** The identity: from --seed, else a new key of --key-type. */
async function identity () {
  if (opts.seed != null) return generateKeyPairFromSeed('Ed25519', Buffer.from(opts.seed, 'hex'))
  return opts.keyType === 'RSA' ? generateKeyPair('RSA', 2048) : generateKeyPair(opts.keyType)
}

/**
 * A swarm key file as go-ipfs, Kubo and js-libp2p write it: the lines "/key/swarm/psk/1.0.0/",
 * "/base16/" and 64 hex digits. @libp2p/pnet reads only the third line, so the first two are
 * checked here and a wrong file fails at start-up instead of at every connection.
 */
function swarmKey (file) {
  const bytes = readFileSync(file)
  const [tag, codec, key] = bytes.toString('utf8').split(/\r?\n/)
  if (tag !== '/key/swarm/psk/1.0.0/' || codec !== '/base16/' || !/^[0-9a-fA-F]{64}$/.test(key ?? '')) {
    throw new Error(`${file} is not a swarm key (/key/swarm/psk/1.0.0/, /base16/, 64 hex digits)`)
  }
  return new Uint8Array(bytes)
}

// kad-dht keeps record R under <prefix>/record/<base32 of R's key, no multibase prefix>;
// the prefix is set here so /put localOnly and /local can reach the records directly
const DATASTORE_PREFIX = '/dht'
const recordKey = (key) => new Key(`${DATASTORE_PREFIX}/record/${base32.baseEncode(key)}`, false)

// Any value under /CHORUS/ is valid (the Java side signs and checks its own
// envelopes). Values carry no order kad-dht could see, so the first record
// found wins; it is the local one when this node has the key.
const acceptAnything = async () => {}
const firstRecord = () => 0

let privateKey
let protector
try {
  privateKey = await identity()
  protector = opts.psk == null ? undefined : preSharedKey({ psk: swarmKey(opts.psk) })
} catch (err) {
  fail(err.message)
}

const datastore = new MemoryDatastore()
const node = await createLibp2p({
  privateKey,
  datastore,
  addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}`] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  ...(protector == null ? {} : { connectionProtector: protector }),
  connectionManager: {
    // the tests open many connections from loopback in a short time; js-libp2p's inbound
    // rate limit (5 a second per host) and pending-connection cap do not apply to these
    allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']
  },
  services: {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      protocol: opts.protocol,
      clientMode: false,
      datastorePrefix: DATASTORE_PREFIX,
      // the default mapper drops private and loopback addresses, and with them every test peer
      peerInfoMapper: passthroughMapper,
      validators: { CHORUS: acceptAnything },
      selectors: { CHORUS: firstRecord }
    })
  }
})
const dht = node.services.dht

let stopping = false
async function shutdown (why) {
  if (stopping) return
  stopping = true
  log(`stopping (${why})`)
  setTimeout(() => process.exit(0), 5000).unref()
  try {
    httpServer?.closeAllConnections()
    httpServer?.close()
    await node.stop()
  } catch (err) {
    log(`error while stopping: ${err}`)
  }
  process.exit(0)
}
process.on('SIGTERM', () => { void shutdown('SIGTERM') })
process.on('SIGINT', () => { void shutdown('SIGINT') })
if (opts.exitOnStdinClose) {
  process.stdin.on('end', () => { void shutdown('stdin closed') })
  process.stdin.on('error', () => { void shutdown('stdin error') })
  process.stdin.resume()
}

const { routes, dialAndAdd } = controlRoutes({ node, dht, datastore, recordKey, protocol: opts.protocol, shutdown })
const httpServer = opts.httpPort < 0 ? null : await serveControlApi(routes, opts.httpPort, log)

const bootstrapped = []
for (const addr of opts.bootstrap) {
  try {
    const r = await dialAndAdd(addr)
    bootstrapped.push({ addr, peerId: r.peerId, inRoutingTable: r.inRoutingTable })
  } catch (err) {
    log(`bootstrap ${addr} failed: ${err.message}`)
    bootstrapped.push({ addr, error: errorView(err) })
  }
}

const ready = {
  event: 'ready',
  peerId: node.peerId.toString(),
  addrs: node.getMultiaddrs().map(String),
  http: httpServer == null ? null : `http://127.0.0.1:${httpServer.address().port}`,
  protocols: node.getProtocols(),
  dhtProtocol: opts.protocol,
  keyType: privateKey.type,
  privateNetwork: protector != null,
  pid: process.pid,
  ...(bootstrapped.length > 0 ? { bootstrapped } : {})
}
process.stdout.write(`${JSON.stringify(ready)}\n`)
log(`ready: ${ready.peerId} ${ready.addrs.join(' ')} ${ready.http ?? '(no control API)'}`)
