package io.pipelit.pipelitd.persistence;

import java.util.List;
import java.util.Optional;

/**
 * Every column whose values are encrypted at rest with {@code FIELD_ENCRYPTION_KEY}: the start-up
 * wrong-key check reads them and {@code keys rotate} re-encrypts them. Each has an integer {@code id}
 * primary key. A column added to this list is covered by both; nothing else needs to change.
 */
public final class EncryptedColumns {
  private EncryptedColumns() {}

  /** One encrypted column. */
  public record Column(String table, String column) {
    /** {@code table.column}, for messages. */
    public String qualified() {
      return table + "." + column;
    }
  }

  /** In the order rotation walks them. */
  public static final List<Column> ALL = List.of(
      new Column("llm_credentials", "api_key"),
      new Column("llm_credentials", "custom_headers"),
      new Column("git_credentials", "ssh_private_key"),
      new Column("git_credentials", "access_token"),
      new Column("git_credentials", "webhook_secret"),
      new Column("tool_credentials", "config"),
      new Column("user_profiles", "totp_secret"),
      new Column("workspaces", "env_vars"),
      new Column("system_config", "database_url"),
      new Column("system_config", "redis_url"));

  /** The listed column named {@code table.column}; the only way a name from a request reaches SQL. */
  public static Optional<Column> find(String table, String column) {
    return ALL.stream().filter(c -> c.table().equals(table) && c.column().equals(column)).findFirst();
  }
}
