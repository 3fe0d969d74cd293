#!/usr/bin/env node
// typage (npm age-encryption) behind a small command line, so that the Java
// tests can check chorus-dht's age against a second implementation:
//
//   node age-helper.mjs keygen
//       prints a new X25519 identity (AGE-SECRET-KEY-1...) and its recipient (age1...), one a line
//   node age-helper.mjs encrypt [-r age1...]... [-p [-w logN]] [-a]  < plaintext > ciphertext
//       to each -r recipient, or with -p to the passphrase in $AGE_PASSPHRASE (scrypt, work
//       factor 2^logN, typage's default 18 without -w); -a writes ASCII armor
//   node age-helper.mjs decrypt [-i identity-file]... [-p]  < ciphertext > plaintext
//       with the identities of each file (age-keygen format) and/or $AGE_PASSPHRASE; armor is
//       detected
//
// Exit 0 on success; otherwise one line "age-helper: ..." on stderr and exit 1 (2 for usage).

import { readFileSync } from 'node:fs'
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption'

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----'

class UsageError extends Error {}

function parse (args, spec) {
  const out = { r: [], i: [], p: false, a: false, w: undefined }
  for (let k = 0; k < args.length; k++) {
    const flag = args[k].replace(/^-/, '')
    if (!spec.includes(flag)) throw new UsageError(`unknown flag ${args[k]}`)
    if (flag === 'p' || flag === 'a') {
      out[flag] = true
    } else {
      const value = args[++k]
      if (value === undefined) throw new UsageError(`-${flag} needs a value`)
      if (flag === 'w') out.w = Number(value)
      else out[flag].push(value)
    }
  }
  return out
}

function passphrase () {
  const p = process.env.AGE_PASSPHRASE
  if (!p) throw new UsageError('-p needs the passphrase in $AGE_PASSPHRASE')
  return p
}

/** The identities in an age-keygen file: lines that are neither blank nor # comments. */
function identityFile (path) {
  return readFileSync(path, 'utf8').split(/\r?\n/).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
}

async function stdin () {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  return new Uint8Array(Buffer.concat(chunks))
}

async function write (bytes) {
  await new Promise((resolve, reject) => process.stdout.write(bytes, err => (err ? reject(err) : resolve())))
}

const commands = {
  async keygen (args) {
    parse(args, [])
    const identity = await generateX25519Identity()
    await write(`${identity}\n${await identityToRecipient(identity)}\n`)
  },

  async encrypt (args) {
    const o = parse(args, ['r', 'p', 'w', 'a'])
    const e = new Encrypter()
    if (o.p) {
      if (o.r.length > 0) throw new UsageError('-p and -r do not mix')
      e.setPassphrase(passphrase())
      if (o.w !== undefined) e.setScryptWorkFactor(o.w)
    } else {
      if (o.r.length === 0) throw new UsageError('encrypt needs -r or -p')
      for (const r of o.r) e.addRecipient(r)
    }
    const ciphertext = await e.encrypt(await stdin())
    await write(o.a ? armor.encode(ciphertext) : ciphertext)
  },

  async decrypt (args) {
    const o = parse(args, ['i', 'p'])
    const d = new Decrypter()
    for (const file of o.i) for (const id of identityFile(file)) d.addIdentity(id)
    if (o.p) d.addPassphrase(passphrase())
    if (o.i.length === 0 && !o.p) throw new UsageError('decrypt needs -i or -p')
    let input = await stdin()
    const text = Buffer.from(input.subarray(0, 100)).toString('latin1').trimStart()
    if (text.startsWith(ARMOR_BEGIN)) input = armor.decode(Buffer.from(input).toString('utf8'))
    await write(await d.decrypt(input))
  }
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (commands[command] == null) throw new UsageError('usage: age-helper.mjs keygen | encrypt ... | decrypt ...')
  await commands[command](rest)
} catch (err) {
  process.stderr.write(`age-helper: ${err.message}\n`)
  process.exitCode = err instanceof UsageError ? 2 : 1
}
