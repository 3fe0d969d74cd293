package org.chorus.dht.p2p.crypto;

/** libp2p key types with their protobuf numbers (peer-ids/peer-ids.md#keys). */
public enum KeyType {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
  ECDSA(3);

  private final int number;

  KeyType(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }
}
