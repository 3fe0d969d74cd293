/**
 * The signed UCXL content envelope stored under {@code /CHORUS/ucxl/<key>} (DESIGN.md "Kademlia"):
 * {@link org.chorus.dht.envelope.ContentEnvelope}, its metadata and {@link
 * org.chorus.dht.envelope.EnvelopeCodec} (wire form, signing input, verification). A low,
 * Spring-free package (it uses only {@code ucxl} and Jackson) so that both the storage layer, which
 * builds envelopes, and {@code kad.records}, which validates them for records arriving from the
 * network, can depend on it.
 */
package org.chorus.dht.envelope;
