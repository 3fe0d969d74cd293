package org.chorus.dht.p2p.security.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise XX handshake ({@code Noise_XX_25519_ChaChaPoly_SHA256}, empty prologue) as a pure state
 * machine over whole messages (noiseprotocol.org/noise.html §5, §7.5):
 *
 * <pre>
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * Not thread-safe; one per connection attempt.
 */
final class HandshakeState {
  static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
  static final int DH_LEN = 32;

  private final boolean initiator;
  private final X25519.Pair s;
  private X25519.Pair e;
  private byte[] rs;
  private byte[] re;
  private byte[] ck;
  private byte[] h;
  private final CipherState cs = new CipherState();
  private int step;

  HandshakeState(boolean initiator, X25519.Pair staticKey) {
    this.initiator = initiator;
    this.s = staticKey;
    byte[] name = PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII);
    h = Arrays.copyOf(name, 32); // exactly 32 bytes: used as is
    ck = h.clone();
    mixHash(new byte[0]); // prologue
  }

  /** Test hook: fix the ephemeral key. */
  void setEphemeral(X25519.Pair ephemeral) {
    this.e = ephemeral;
  }

  byte[] remoteStatic() {
    return rs;
  }

  /** Initiator, message 1: {@code e} and an (unencrypted) payload. */
  byte[] writeMessage1(byte[] payload) throws GeneralSecurityException {
    expect(true, 0);
    if (e == null) {
      e = X25519.generate();
    }
    mixHash(e.publicKey());
    byte[] p = encryptAndHash(payload);
    step = 1;
    return concat(e.publicKey(), p);
  }

  /** Responder reads message 1; returns the payload. */
  byte[] readMessage1(byte[] msg) throws GeneralSecurityException {
    expect(false, 0);
    if (msg.length < DH_LEN) {
      throw new GeneralSecurityException("noise message 1 of " + msg.length + " bytes");
    }
    re = Arrays.copyOf(msg, DH_LEN);
    mixHash(re);
    byte[] payload = decryptAndHash(Arrays.copyOfRange(msg, DH_LEN, msg.length));
    step = 1;
    return payload;
  }

  /** Responder, message 2: e, ee, s, es, payload. */
  byte[] writeMessage2(byte[] payload) throws GeneralSecurityException {
    expect(false, 1);
    if (e == null) {
      e = X25519.generate();
    }
    mixHash(e.publicKey());
    mixKey(X25519.dh(e.privateKey(), re));
    byte[] encS = encryptAndHash(s.publicKey());
    mixKey(X25519.dh(s.privateKey(), re));
    byte[] p = encryptAndHash(payload);
    step = 2;
    return concat(e.publicKey(), concat(encS, p));
  }

  /** Initiator reads message 2; returns the responder's payload. */
  byte[] readMessage2(byte[] msg) throws GeneralSecurityException {
    expect(true, 1);
    if (msg.length < DH_LEN + DH_LEN + CipherState.TAG + CipherState.TAG) {
      throw new GeneralSecurityException("noise message 2 of " + msg.length + " bytes");
    }
    re = Arrays.copyOf(msg, DH_LEN);
    mixHash(re);
    mixKey(X25519.dh(e.privateKey(), re));
    int sEnd = DH_LEN + DH_LEN + CipherState.TAG;
    rs = decryptAndHash(Arrays.copyOfRange(msg, DH_LEN, sEnd));
    mixKey(X25519.dh(e.privateKey(), rs));
    byte[] payload = decryptAndHash(Arrays.copyOfRange(msg, sEnd, msg.length));
    step = 2;
    return payload;
  }

  /** Initiator, message 3: s, se, payload. */
  byte[] writeMessage3(byte[] payload) throws GeneralSecurityException {
    expect(true, 2);
    byte[] encS = encryptAndHash(s.publicKey());
    mixKey(X25519.dh(s.privateKey(), re));
    byte[] p = encryptAndHash(payload);
    step = 3;
    return concat(encS, p);
  }

  /** Responder reads message 3; returns the initiator's payload. */
  byte[] readMessage3(byte[] msg) throws GeneralSecurityException {
    expect(false, 2);
    if (msg.length < DH_LEN + CipherState.TAG + CipherState.TAG) {
      throw new GeneralSecurityException("noise message 3 of " + msg.length + " bytes");
    }
    int sEnd = DH_LEN + CipherState.TAG;
    rs = decryptAndHash(Arrays.copyOf(msg, sEnd));
    mixKey(X25519.dh(e.privateKey(), rs));
    byte[] payload = decryptAndHash(Arrays.copyOfRange(msg, sEnd, msg.length));
    step = 3;
    return payload;
  }

  /** After message 3: {sending, receiving} cipher states for this side. */
  CipherState[] split() {
    if (step != 3) {
      throw new IllegalStateException("handshake not finished");
    }
    byte[][] k = hkdf(ck, new byte[0]);
    CipherState c1 = new CipherState(k[0]);
    CipherState c2 = new CipherState(k[1]);
    return initiator ? new CipherState[] {c1, c2} : new CipherState[] {c2, c1};
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  private void expect(boolean asInitiator, int atStep) {
    if (initiator != asInitiator || step != atStep) {
      throw new IllegalStateException("noise handshake out of order");
    }
  }

  private void mixHash(byte[] data) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(h);
      md.update(data);
      h = md.digest();
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cs.initializeKey(out[1]);
  }

  private byte[] encryptAndHash(byte[] plain) throws GeneralSecurityException {
    byte[] c = cs.hasKey() ? cs.encrypt(h, plain) : plain;
    mixHash(c);
    return c;
  }

  private byte[] decryptAndHash(byte[] c) throws GeneralSecurityException {
    byte[] p = cs.hasKey() ? cs.decrypt(h, c) : c;
    mixHash(c);
    return p;
  }

  static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] tempKey = hmac(chainingKey, ikm);
    byte[] out1 = hmac(tempKey, new byte[] {1});
    byte[] out2 = hmac(tempKey, concat(out1, new byte[] {2}));
    return new byte[][] {out1, out2};
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
