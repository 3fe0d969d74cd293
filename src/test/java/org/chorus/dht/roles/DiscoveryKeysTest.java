package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.chorus.dht.kad.Dht;
import org.junit.jupiter.api.Test;

class DiscoveryKeysTest {

  @Test
  void roleKeyIsTheRawSha256CidOfItsString() {
    String key = DiscoveryKeys.role("backend_developer");
    assertThat(key).isEqualTo("CHORUS:role:backend_developer");
    assertThat(HexFormat.of().formatHex(DiscoveryKeys.cid(key)))
        .isEqualTo("01551220" + "f71b0ca6c40a687fd6961242c794b1bdd22562b1104177e1ab1b733f5ffc3e7e");
  }

  @Test
  void theNetworkProviderKeyIsTheMultihashInsideTheCid() {
    for (String key :
        new String[] {DiscoveryKeys.role("qa_engineer"), DiscoveryKeys.capability("go")}) {
      byte[] cid = DiscoveryKeys.cid(key);
      assertThat(Dht.providerKey(key.getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(Arrays.copyOfRange(cid, 2, cid.length));
    }
    assertThat(DiscoveryKeys.capability("go")).isEqualTo("CHORUS:capability:go");
  }

  @Test
  void namesAreBoundedAndRestricted() {
    assertThat(DiscoveryKeys.isValidName("backend_developer")).isTrue();
    assertThat(DiscoveryKeys.isValidName("c++")).isTrue();
    assertThat(DiscoveryKeys.isValidName("a".repeat(DiscoveryKeys.MAX_NAME_LENGTH))).isTrue();
    assertThat(DiscoveryKeys.isValidName("a".repeat(DiscoveryKeys.MAX_NAME_LENGTH + 1))).isFalse();
    assertThat(DiscoveryKeys.isValidName("")).isFalse();
    assertThat(DiscoveryKeys.isValidName(null)).isFalse();
    assertThat(DiscoveryKeys.isValidName("two words")).isFalse();
    assertThat(DiscoveryKeys.isValidName("a\nrole x")).isFalse();
    assertThat(DiscoveryKeys.isValidName("-x")).isFalse();
  }
}
