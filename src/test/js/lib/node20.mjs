// Import this module before any libp2p module.
//
// The libp2p 3.x packages call Promise.withResolvers(), which Node ships from
// version 22 on. On Node 20 this defines it with the behaviour the spec gives
// it; on Node 22 and later the built-in one is kept.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value () {
      const out = {}
      out.promise = new this((resolve, reject) => Object.assign(out, { resolve, reject }))
      return out
    }
  })
}
