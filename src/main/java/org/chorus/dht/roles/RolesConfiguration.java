package org.chorus.dht.roles;

import java.io.IOException;
import java.time.Clock;
import org.chorus.dht.system.ChorusPrincipal;
import org.chorus.dht.system.ChorusProperties;
import org.chorus.dht.system.TokenRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Roles from {@code chorus.roles-file} and the node's role keys from {@code chorus.role-keys-dir}.
 */
@Configuration(proxyBeanMethods = false)
class RolesConfiguration {

  /** The role policy; refuses to start when a configured token names an unknown role. */
  @Bean
  RolePolicy rolePolicy(ChorusProperties properties, TokenRegistry tokens) throws IOException {
    RolePolicy policy = new RolePolicy(RolesFile.readOrBuiltIn(properties.rolesFile()));
    for (ChorusPrincipal principal : tokens.principals()) {
      if (policy.find(principal.role()).isEmpty()) {
        throw new IllegalStateException(
            "token of principal '"
                + principal.name()
                + "' names unknown role '"
                + principal.role()
                + "' (known: "
                + policy.roles().stream().map(RoleDefinition::name).toList()
                + ")");
      }
    }
    return policy;
  }

  /** The write rules and signing keys the envelope validators check. */
  @Bean
  RoleAuthority roleAuthority(RolePolicy policy, RoleKeys keys) {
    return new RoleAuthority(policy, keys);
  }

  @Bean
  RoleKeys roleKeys(ChorusProperties properties, RolePolicy policy, Clock clock)
      throws IOException {
    return RoleKeys.load(properties.effectiveRoleKeysDir(), policy, clock);
  }
}
