package io.pipelit.pipelitd.persistence.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tables JSON export/import carries, in foreign-key order (a table only references tables before it,
 * or itself), with the kind of every column. Adding a table is one {@link Table} line here (and its
 * place in the order); a column added to a table by a migration must be added to its line too (a test
 * compares these lines with the migrated schema).
 *
 * <p>Column syntax: {@code name:kind} with kind one of {@code text, int, real, decimal, bool, json,
 * time, secret, ref(table)}; a trailing {@code !} means NOT NULL. The key column is named separately
 * ({@code id}, an integer, or {@code execution_id}, a UUID): keys are remapped on import.
 */
public final class TransferTables {
  private TransferTables() {}

  /** How a column travels in the file. */
  public enum Kind { TEXT, INT, REAL, DECIMAL, BOOL, JSON, TIME, SECRET, REF }

  /** Which export carries a table: every export, or only {@code --all}. */
  public enum Scope { WORKFLOWS, ALL }

  /** One column: its kind, the referenced table for a REF, and whether it is NOT NULL. */
  public record Column(String name, Kind kind, String references, boolean required) {}

  /**
   * One table.
   *
   * @param key      the primary-key column, remapped on import
   * @param uuidKey  true when the key is a UUID string (a new one is made on import), else an integer
   * @param excluded columns deliberately left out of exports (documented in the README)
   */
  public record Table(String name, String key, boolean uuidKey, Scope scope, List<Column> columns,
      Set<String> excluded) {

    public Optional<Column> column(String columnName) {
      return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }
  }

  /** In foreign-key order: import inserts in this order, so references point backwards (or to the same table). */
  public static final List<Table> ALL = List.of(
      table("user_profiles", "id", Scope.ALL,
          "username:text! first_name:text! last_name:text! external_user_id:text github_username:text!"
              + " gitlab_username:text! created_at:time! role:text! created_by_agent_id:ref(user_profiles)"
              + " is_active:bool!",
          // Login material stays behind: imported users get no password (set one with `users
          // set-password`) and no MFA; an existing user with the same username is matched instead.
          "password_hash", "totp_secret", "mfa_enabled", "totp_last_used_at"),
      table("credentials", "id", Scope.ALL,
          "user_profile_id:ref(user_profiles)! name:text! credential_type:text! created_at:time! updated_at:time!"),
      table("llm_credentials", "id", Scope.ALL,
          "base_credentials_id:ref(credentials)! provider_type:text! api_key:secret! base_url:text!"
              + " organization_id:text! custom_headers:secret!"),
      table("git_credentials", "id", Scope.ALL,
          "base_credentials_id:ref(credentials)! provider:text! credential_type:text! ssh_private_key:secret!"
              + " access_token:secret! username:text! webhook_secret:secret!"),
      table("gateway_credentials", "id", Scope.ALL,
          "base_credentials_id:ref(credentials)! gateway_credential_id:text! adapter_type:text!"),
      table("tool_credentials", "id", Scope.ALL,
          "base_credentials_id:ref(credentials)! tool_type:text! config:secret! is_preferred:bool!"),
      table("workflows", "id", Scope.WORKFLOWS,
          "name:text! slug:text! description:text! owner_id:ref(user_profiles)! repository_id:int is_active:bool!"
              + " is_public:bool! is_template:bool! is_callable:bool! is_default:bool! forked_from_id:ref(workflows)"
              + " error_handler_workflow_id:ref(workflows) tags:json max_execution_seconds:int! input_schema:json"
              + " output_schema:json created_at:time! updated_at:time!"),
      table("component_configs", "id", Scope.WORKFLOWS,
          "component_type:text! extra_config:json! updated_at:time! llm_credential_id:ref(credentials)"
              + " model_name:text temperature:real max_tokens:int frequency_penalty:real presence_penalty:real"
              + " top_p:real timeout:int max_retries:int response_format:json"
              + " llm_model_config_id:ref(component_configs) system_prompt:text code_language:text code_snippet:text"
              + " credential_id:ref(credentials) is_active:bool priority:int trigger_config:json"),
      table("workflow_nodes", "id", Scope.WORKFLOWS,
          "workflow_id:ref(workflows)! node_id:text! label:text component_type:text!"
              + " component_config_id:ref(component_configs)! subworkflow_id:ref(workflows) code_block_id:int"
              + " is_entry_point:bool! interrupt_before:bool! interrupt_after:bool! position_x:int! position_y:int!"
              + " updated_at:time!"),
      table("workflow_edges", "id", Scope.WORKFLOWS,
          "workflow_id:ref(workflows)! source_node_id:text! target_node_id:text! edge_type:text! edge_label:text!"
              + " condition_mapping:json condition_value:text! priority:int!"),
      uuidTable("workflow_executions", "execution_id", Scope.ALL,
          "workflow_id:ref(workflows)! trigger_node_id:ref(workflow_nodes)"
              + " parent_execution_id:ref(workflow_executions) parent_node_id:text! user_profile_id:ref(user_profiles)!"
              + " thread_id:text! status:text! trigger_payload:json final_output:json retry_count:int! max_retries:int!"
              + " error_message:text! started_at:time completed_at:time total_input_tokens:int!"
              + " total_output_tokens:int! total_tokens:int! total_cost_usd:decimal! llm_calls:int! created_at:time"),
      table("execution_logs", "id", Scope.ALL,
          "execution_id:ref(workflow_executions)! node_id:text! status:text! input:json output:json error:text!"
              + " error_code:text metadata:json retry_count:int! duration_ms:int! timestamp:time!"));

  public static Optional<Table> find(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private static Table table(String name, String key, Scope scope, String columns, String... excluded) {
    return new Table(name, key, false, scope, parse(columns), Set.of(excluded));
  }

  private static Table uuidTable(String name, String key, Scope scope, String columns) {
    return new Table(name, key, true, scope, parse(columns), Set.of());
  }

  private static List<Column> parse(String spec) {
    List<Column> columns = new ArrayList<>();
    for (String item : spec.trim().split("\\s+")) {
      boolean required = item.endsWith("!");
      String body = required ? item.substring(0, item.length() - 1) : item;
      String[] parts = body.split(":", 2);
      String kind = parts[1];
      if (kind.startsWith("ref(")) {
        columns.add(new Column(parts[0], Kind.REF, kind.substring(4, kind.length() - 1), required));
      } else {
        columns.add(new Column(parts[0], Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), null, required));
      }
    }
    return List.copyOf(columns);
  }
}
