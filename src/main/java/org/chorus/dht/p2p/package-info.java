/**
 * Our libp2p stack (no Spring; upper layers see only {@code p2p.core} types, never Netty).
 *
 * <pre>{@code
 * IdentityKey key = IdentityKey.loadOrCreate(dataDir.resolve("identity.key"));
 * Host host = Host.create(HostConfig.DEFAULT, key);
 * host.setHandler(ProtocolId.of("/CHORUS/kad/1.0.0"), stream ->
 *     stream.setListener(LengthPrefixed.listener(4 << 20, (s, request) -> ...)));
 * host.listen(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")).join();
 * Connection c = host.dial(Multiaddr.parse("/ip4/10.0.0.7/tcp/4001")).join(); // id learned
 * Stream s = c.newStream(ProtocolId.of("/CHORUS/kad/1.0.0")).join();
 * LengthPrefixed.write(s, request);
 * }</pre>
 *
 * <p>Wire stack: TCP (or {@code /memory} in-process) → with a swarm key, the private network
 * protector ({@code p2p.pnet}) → multistream-select 1.0 → {@code /noise} (XX, 25519, ChaChaPoly,
 * SHA256, libp2p signed payload) → {@code /yamux/1.0.0} → protocols; identify ({@code
 * /ipfs/id/1.0.0}) and ping ({@code /ipfs/ping/1.0.0}) are built in. Checked against js-libp2p 3.3
 * (the peer in {@code src/test/js}) by the {@code interop}-tagged tests.
 *
 * <p>Threading: each connection lives on one Netty event loop; stream listeners and handlers run
 * there and must not block. Futures returned by the API may complete on that loop too.
 */
package org.chorus.dht.p2p;
