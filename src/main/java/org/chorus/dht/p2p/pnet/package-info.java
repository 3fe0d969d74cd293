/**
 * libp2p private networks, PSK v1 (pnet/Private-Networks-PSK-V1.md): the {@link
 * org.chorus.dht.p2p.pnet.SwarmKey} and its file format, the per-connection {@link
 * org.chorus.dht.p2p.pnet.PnetProtector} (a Netty handler the upgrader puts first in the pipeline)
 * and {@link org.chorus.dht.p2p.pnet.SwarmKeyTool}, the key generator of {@code
 * bin/chorus-swarm-key}.
 *
 * <p>What it is for: nodes without the key cannot connect at all, so the DHT and every protocol on
 * it are closed to them, and all traffic, handshakes included, is encrypted a second time. What it
 * is not: authentication. Everyone who holds the key is in; one leaked key opens the network, and
 * the key cannot tell members apart. Noise still authenticates each peer id.
 */
package org.chorus.dht.p2p.pnet;
