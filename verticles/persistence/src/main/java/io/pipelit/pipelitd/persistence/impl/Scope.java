package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Ownership scoping: an admin sees every user's objects, a normal user only those of workflows they
 * own; anything else reads as "not found" (Pipelit answers 404, not 403).
 */
final class Scope {
  private Scope() {}

  /** SQL condition on a workflows alias; binds two parameters with {@link #bind}. */
  static String on(String workflowAlias) {
    return "(" + workflowAlias + ".owner_id = ? OR ? = 1)";
  }

  /** Binds the two parameters of {@link #on} at {@code index}, returns the next index. */
  static int bind(PreparedStatement statement, int index, Identity identity) throws SQLException {
    statement.setLong(index, identity.userId());
    statement.setInt(index + 1, identity.isAdmin() ? 1 : 0);
    return index + 2;
  }
}
