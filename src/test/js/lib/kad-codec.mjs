// The libp2p Kademlia wire messages, encoded and decoded by hand so that
// POST /kad/rpc can send exactly the bytes a test asks for and show exactly
// the bytes that came back (js kad-dht's own codec would normalise both).
//
// Field numbers (libp2p kad-dht spec; go-libp2p-kad-dht and js kad-dht agree):
//
//   Message { MessageType type = 1; bytes key = 2; bytes record = 3;
//             repeated Peer closerPeers = 8; repeated Peer providerPeers = 9;
//             int32 clusterLevel = 10; }
//   Peer    { bytes id = 1; repeated bytes addrs = 2; ConnectionType connection = 3; }
//   Record  { bytes key = 1; bytes value = 2; string timeReceived = 5; }
//
// Proto3 leaves out default values, so a PUT_VALUE (type 0) message carries no
// type field at all. Each message goes on the stream behind an unsigned varint
// length (that framing is @libp2p/utils' lpStream, not this module).

export const TYPES = ['PUT_VALUE', 'GET_VALUE', 'ADD_PROVIDER', 'GET_PROVIDERS', 'FIND_NODE', 'PING']

const VARINT = 0
const LEN = 2

class Writer {
  #bytes = []

  varint (n) {
    let v = BigInt.asUintN(64, BigInt(n)) // negative int32 values take ten bytes
    while (v > 0x7fn) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    this.#bytes.push(Number(v))
    return this
  }

  uintField (field, n) {
    return this.varint((field << 3) | VARINT).varint(n)
  }

  bytesField (field, bytes) {
    this.varint((field << 3) | LEN).varint(bytes.length)
    for (const b of bytes) this.#bytes.push(b)
    return this
  }

  finish () {
    return Uint8Array.from(this.#bytes)
  }
}

/** Reads a message into a map of field number to the list of its values, in order. */
function readFields (buf) {
  const fields = new Map()
  let pos = 0
  const varint = () => {
    let v = 0n
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw new Error('truncated varint')
      const b = buf[pos++]
      v |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return v
      if (shift > 63n) throw new Error('varint too long')
    }
  }
  const take = (n) => {
    if (pos + n > buf.length) throw new Error('truncated field')
    pos += n
    return buf.subarray(pos - n, pos)
  }
  while (pos < buf.length) {
    const key = Number(varint())
    const wire = key & 7
    let value
    if (wire === VARINT) value = varint()
    else if (wire === LEN) value = take(Number(varint()))
    else if (wire === 1) value = take(8)
    else if (wire === 5) value = take(4)
    else throw new Error(`wire type ${wire} is not supported`)
    const field = key >>> 3
    if (!fields.has(field)) fields.set(field, [])
    fields.get(field).push(value)
  }
  return fields
}

const last = (fields, n) => fields.get(n)?.at(-1)
const all = (fields, n) => fields.get(n) ?? []

/** {key, value, timeReceived (RFC 3339 string)} to Record bytes; empty fields are left out. */
export function encodeRecord ({ key, value, timeReceived }) {
  const w = new Writer()
  if (key?.length > 0) w.bytesField(1, key)
  if (value?.length > 0) w.bytesField(2, value)
  if (timeReceived) w.bytesField(5, new TextEncoder().encode(timeReceived))
  return w.finish()
}

export function decodeRecord (bytes) {
  const f = readFields(bytes)
  const time = last(f, 5)
  return {
    key: last(f, 1) ?? new Uint8Array(0),
    value: last(f, 2) ?? new Uint8Array(0),
    timeReceived: time == null ? '' : new TextDecoder().decode(time)
  }
}

function encodePeer ({ id, addrs = [], connection = 0 }) {
  const w = new Writer().bytesField(1, id)
  for (const a of addrs) w.bytesField(2, a)
  if (connection !== 0) w.uintField(3, connection)
  return w.finish()
}

function decodePeer (bytes) {
  const f = readFields(bytes)
  return {
    id: last(f, 1) ?? new Uint8Array(0),
    addrs: all(f, 2),
    connection: Number(last(f, 3) ?? 0n)
  }
}

/**
 * {type (name or number), key?, record? (Record bytes), closer?: [Peer], providers?: [Peer],
 * clusterLevel?} to Message bytes. A Peer is {id (peer id multihash), addrs (binary multiaddrs)}.
 */
export function encodeMessage ({ type, key, record, closer = [], providers = [], clusterLevel }) {
  const code = typeof type === 'number' ? type : TYPES.indexOf(type)
  if (code < 0) throw new Error(`unknown kad message type ${type}`)
  const w = new Writer()
  if (code !== 0) w.uintField(1, code)
  if (key?.length > 0) w.bytesField(2, key)
  if (record?.length > 0) w.bytesField(3, record)
  for (const p of closer) w.bytesField(8, encodePeer(p))
  for (const p of providers) w.bytesField(9, encodePeer(p))
  if (clusterLevel != null) w.uintField(10, clusterLevel)
  return w.finish()
}

/** Message bytes to {type (name, or the number if unknown), key, record, closer, providers, clusterLevel}. */
export function decodeMessage (bytes) {
  const f = readFields(bytes)
  const code = Number(last(f, 1) ?? 0n)
  const level = last(f, 10)
  return {
    type: TYPES[code] ?? code,
    key: last(f, 2),
    record: last(f, 3),
    closer: all(f, 8).map(decodePeer),
    providers: all(f, 9).map(decodePeer),
    clusterLevel: level == null ? undefined : Number(BigInt.asIntN(32, level))
  }
}

/** Now (or d) as js kad-dht writes timeReceived: UTC, milliseconds padded to nine digits. */
export function timeReceived (d = new Date()) {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')
}
