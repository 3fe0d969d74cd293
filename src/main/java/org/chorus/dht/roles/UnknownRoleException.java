package org.chorus.dht.roles;

import org.chorus.dht.system.ApiException;

/** A role name that roles.yaml does not define; a 400 problem naming the field it came from. */
public class UnknownRoleException extends ApiException {

  private static final long serialVersionUID = 1L;

  private final String role;

  public UnknownRoleException(String role, String field) {
    super(400, "unknown-role", "Unknown role", "'" + field + "' names unknown role '" + role + "'");
    this.role = role;
    with("field", field);
    with("role", role);
  }

  public String role() {
    return role;
  }
}
