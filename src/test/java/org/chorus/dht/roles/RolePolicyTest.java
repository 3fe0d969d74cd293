package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolePolicyTest {

  private final RolePolicy shipped = shippedPolicy();

  private static RolePolicy shippedPolicy() {
    try {
      return new RolePolicy(RolesFile.readOrBuiltIn(Path.of("config/roles.yaml")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void shipsThePredefinedChorusRoles() {
    assertThat(shipped.roles().stream().map(RoleDefinition::name))
        .contains(
            "backend_developer",
            "frontend_developer",
            "senior_architect",
            "devops_engineer",
            "qa_engineer",
            "project_manager",
            "read_only_observer");
    assertThat(shipped.require("project_manager", "role").authority())
        .isEqualTo(AuthorityLevel.ADMIN);
    assertThat(shipped.require("senior_architect", "role").canDecrypt()).containsExactly("*");
  }

  @Test
  void decryptableRolesAreTheCreatorAndEveryRoleNamingItOrStar() {
    assertThat(shipped.decryptableRoles("devops_engineer"))
        .containsExactly(
            "devops_engineer", "senior_architect", "project_manager", "backend_developer");
    assertThat(shipped.decryptableRoles("qa_engineer"))
        .containsExactly("qa_engineer", "senior_architect", "project_manager");
    assertThat(shipped.decryptableRoles("backend_developer")).doesNotContain("read_only_observer");
  }

  @Test
  void readOnlyRolesCannotStore() {
    assertThat(shipped.canStore("read_only_observer")).isFalse();
    assertThat(shipped.canStore("qa_engineer")).isTrue();
    assertThat(shipped.canStore("nobody")).isFalse();
  }

  @Test
  void unknownRolesAreNamedProblems() {
    assertThatThrownBy(() -> shipped.require("wizard", "role"))
        .isInstanceOf(UnknownRoleException.class)
        .hasMessageContaining("wizard")
        .hasMessageContaining("'role'");
    assertThatThrownBy(() -> shipped.decryptableRoles("wizard"))
        .isInstanceOf(UnknownRoleException.class);
  }

  @Test
  void rejectsBrokenFiles() {
    assertThatThrownBy(() -> parse("roles:\n  a:\n    authority: boss\n"))
        .hasMessageContaining("unknown authority level 'boss'");
    assertThatThrownBy(
            () ->
                new RolePolicy(
                    parse("roles:\n  a:\n    authority: decision\n    canDecrypt: [b]\n")))
        .hasMessageContaining("unknown role 'b'");
    assertThatThrownBy(() -> parse("roles:\n  'a b':\n    authority: decision\n"))
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> parse("nothing: here\n")).hasMessageContaining("no 'roles' map");
  }

  private static List<RoleDefinition> parse(String yaml) {
    return RolesFile.parse(new StringReader(yaml), "test");
  }
}
