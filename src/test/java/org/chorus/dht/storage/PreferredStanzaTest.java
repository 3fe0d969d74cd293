package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.chorus.dht.age.Age;
import org.chorus.dht.age.AgeException;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.Stanza;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.age.X25519Recipient;
import org.junit.jupiter.api.Test;

class PreferredStanzaTest {

  /** Counts the stanzas an identity is offered (each costs an X25519 for an X25519 identity). */
  record Counting(Identity identity, AtomicInteger offered) implements Identity {
    @Override
    public byte[] unwrap(List<Stanza> stanzas) throws AgeException {
      offered.addAndGet(stanzas.size());
      return identity.unwrap(stanzas);
    }
  }

  final List<X25519Identity> ids = new ArrayList<>();
  final List<String> roles = List.of("a", "b", "c", "d", "e", "f", "g");

  byte[] file() {
    for (int i = 0; i < roles.size(); i++) {
      ids.add(X25519Identity.generate());
    }
    List<X25519Recipient> to = ids.stream().map(X25519Identity::recipient).toList();
    return Age.encrypt("seven readers".getBytes(), to);
  }

  @Test
  void theReadersOwnStanzaIsTheOnlyOneTried() throws Exception {
    byte[] file = file();
    for (int i = 0; i < roles.size(); i++) {
      AtomicInteger offered = new AtomicInteger();
      Identity reader = PreferredStanza.of(new Counting(ids.get(i), offered), roles, roles.get(i));
      assertThat(Age.decrypt(file, reader)).isEqualTo("seven readers".getBytes());
      assertThat(offered).as("role %s", roles.get(i)).hasValue(1);
    }
    // without the hint the last reader is offered every stanza until its own
    AtomicInteger all = new AtomicInteger();
    Age.decrypt(file, new Counting(ids.get(6), all));
    assertThat(all).hasValue(7);
  }

  @Test
  void aWrongOrMissingHintStillDecrypts() throws Exception {
    byte[] file = file();
    assertThat(Age.decrypt(file, PreferredStanza.of(ids.get(4), roles, "a")))
        .isEqualTo("seven readers".getBytes());
    assertThat(Age.decrypt(file, PreferredStanza.of(ids.get(4), roles, "nobody")))
        .isEqualTo("seven readers".getBytes());
    assertThat(Age.decrypt(file, new PreferredStanza(ids.get(4), 99)))
        .isEqualTo("seven readers".getBytes());
  }
}
