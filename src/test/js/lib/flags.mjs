// Command-line flags of interop-peer.mjs: one table gives each flag its value
// name, its help text and what it sets, and the usage text is made from it.

const int = (s) => {
  if (!/^-?\d+$/.test(s)) throw new Error(`not an integer: ${s}`)
  return Number(s)
}

const FLAGS = [
  ['--host', '<ip>', 'listen IP (default 127.0.0.1)', (o, v) => { o.host = v }],
  ['--port', '<n>', 'listen TCP port (default 0: any free port)', (o, v) => { o.port = int(v) }],
  ['--http-port', '<n>', 'control API port on 127.0.0.1 (default 0: any free port; -1: no API)', (o, v) => { o.httpPort = int(v) }],
  ['--protocol', '<id>', 'kad protocol id (default /CHORUS/kad/1.0.0)', (o, v) => { o.protocol = v }],
  ['--seed', '<64 hex>', 'Ed25519 identity from this 32-byte seed', (o, v) => {
    if (!/^[0-9a-fA-F]{64}$/.test(v)) throw new Error('--seed takes 64 hex digits')
    o.seed = v
  }],
  ['--key-type', '<type>', 'random identity of this type: Ed25519 (default), secp256k1 or RSA', (o, v) => {
    const type = ['Ed25519', 'secp256k1', 'RSA'].find(t => t.toLowerCase() === v.toLowerCase())
    if (type == null) throw new Error(`--key-type: ${v} is not one of Ed25519, secp256k1, RSA`)
    o.keyType = type
  }],
  ['--bootstrap', '<multiaddr>', 'dial this peer before the ready line and add it to the routing table (repeatable)', (o, v) => { o.bootstrap.push(v) }],
  ['--psk', '<file>', 'private network: protect every connection with this swarm key (/key/swarm/psk/1.0.0/ file)', (o, v) => { o.psk = v }],
  ['--exit-on-stdin-close', null, 'exit when stdin reaches end of file (the parent closed the pipe or died)', (o) => { o.exitOnStdinClose = true }],
  ['--help', null, 'print this text and exit', (o) => { o.help = true }]
]

export function usage () {
  const lines = FLAGS.map(([name, arg, help]) => `  ${`${name}${arg ? ` ${arg}` : ''}`.padEnd(28)}${help}`)
  return ['usage: node interop-peer.mjs [flags]', ...lines].join('\n')
}

/** Flags to options; throws on an unknown flag or a missing or bad value. */
export function parseFlags (argv) {
  const o = {
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    protocol: '/CHORUS/kad/1.0.0',
    seed: undefined,
    keyType: 'Ed25519',
    bootstrap: [],
    psk: undefined,
    exitOnStdinClose: false,
    help: false
  }
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2)
    const flag = FLAGS.find(f => f[0] === name)
    if (flag == null) throw new Error(`unknown flag ${argv[i]}`)
    const [, arg, , apply] = flag
    if (arg == null) {
      if (inline !== undefined) throw new Error(`${name} takes no value`)
      apply(o)
      continue
    }
    const value = inline ?? argv[++i]
    if (value === undefined) throw new Error(`${name} needs a value ${arg}`)
    apply(o, value)
  }
  return o
}
