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
 * time, secret, ref(table)}; a trailing {@code !} means NOT NULL. The key column is named separately,
 * with its {@link KeyKind}: keys are remapped on import (except a singleton's).
 *
 * <p>Some tables have a natural key ({@link Table#matchOn}): an imported row whose natural key equals a
 * row already in the database is matched instead of inserted (the row here stays as it is, references
 * follow it). Unique columns that are no natural key ({@link Table#clearedWhenTaken}) are imported as
 * null when another row here already holds the value.
 */
public final class TransferTables {
  private TransferTables() {}

  /** How a column travels in the file. */
  public enum Kind { TEXT, INT, REAL, DECIMAL, BOOL, JSON, TIME, SECRET, REF }

  /** Which export carries a table: every export, or only {@code --all}. */
  public enum Scope { WORKFLOWS, ALL }

  /** One column: its kind, the referenced table for a REF, and whether it is NOT NULL. */
  public record Column(String name, Kind kind, String references, boolean required) {}

  /** How a table's key is made on import. */
  public enum KeyKind {
    /** An integer the database assigns. */
    SERIAL,
    /** A UUID string, a new random one per imported row. */
    UUID,
    /** An 8-hex-digit string (a pending task's id), a new random one not yet taken. */
    HEX8,
    /** The one row with key {@value TransferTables#SINGLETON_KEY}: the import updates it in place (or creates it). */
    SINGLETON
  }

  /** The key of a {@link KeyKind#SINGLETON} table's only row (system_config.id = 1). */
  public static final long SINGLETON_KEY = 1;

  /**
   * One table.
   *
   * @param key              the primary-key column
   * @param keyKind          how the key is made on import
   * @param excluded         columns deliberately left out of exports (documented in the README)
   * @param matchOn          the natural key (columns compared null-safely), or empty: a row with the same
   *                         values here is matched instead of inserted
   * @param clearedWhenTaken unique columns imported as null when another row here holds the same value
   */
  public record Table(String name, String key, KeyKind keyKind, Scope scope, List<Column> columns,
      Set<String> excluded, List<String> matchOn, List<String> clearedWhenTaken) {

    public Optional<Column> column(String columnName) {
      return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    /** True when the key is a string (UUID or hex), false for an integer. */
    public boolean textKey() {
      return keyKind == KeyKind.UUID || keyKind == KeyKind.HEX8;
    }

    Table matching(String... columns) {
      return new Table(name, key, keyKind, scope, this.columns, excluded, List.of(columns), clearedWhenTaken);
    }

    Table clearing(String... columns) {
      return new Table(name, key, keyKind, scope, this.columns, excluded, matchOn, List.of(columns));
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
          "password_hash", "totp_secret", "mfa_enabled", "totp_last_used_at")
          .matching("username").clearing("external_user_id"),
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
              + " error_code:text metadata:json retry_count:int! duration_ms:int! timestamp:time!"),
      // Only with --all, also for an exported workflow: a workflow export is a template, and importing it
      // must not start running anything (a trigger_schedule node's settings travel in its extra_config,
      // and starting the node makes its job again).
      uuidTable("scheduled_jobs", "id", Scope.ALL,
          "name:text! description:text! workflow_id:ref(workflows)! trigger_node_id:text"
              + " user_profile_id:ref(user_profiles)! interval_seconds:int! total_repeats:int! max_retries:int!"
              + " timeout_seconds:int! trigger_payload:json status:text! current_repeat:int! current_retry:int!"
              + " last_run_at:time next_run_at:time run_count:int! error_count:int! last_error:text!"
              + " created_at:time! updated_at:time!"),
      keyed("pending_tasks", "task_id", KeyKind.HEX8, Scope.ALL,
          "execution_id:ref(workflow_executions)! user_profile_id:ref(user_profiles)! chat_id:text"
              + " credential_id:text node_id:text! prompt:text! created_at:time! expires_at:time!"),
      table("conversations", "id", Scope.ALL,
          "user_profile_id:ref(user_profiles)! thread_id:text! workflow_id:ref(workflows)!"
              + " execution_id:ref(workflow_executions) metadata:json! created_at:time! updated_at:time!"),
      // Memory: `embedding` is never written by pipelitd (kept for compatibility), so it stays behind.
      // Episodes are history, like executions: each import adds them (new ids).
      uuidTable("memory_episodes", "id", Scope.ALL,
          "agent_id:text! user_id:text session_id:text workflow_id:ref(workflows)"
              + " execution_id:ref(workflow_executions) trigger_type:text! trigger_input:json conversation:json"
              + " actions_taken:json final_output:json success:bool! error_code:text error_message:text!"
              + " human_feedback:text human_rating:int started_at:time! ended_at:time duration_ms:int summary:text"
              + " processed_for_facts:bool! created_at:time!",
          "embedding"),
      // A fact is identified by (scope, agent_id, user_id, key), as the store's upsert does: one already
      // here is kept and the file's is skipped.
      uuidTable("memory_facts", "id", Scope.ALL,
          "scope:text! agent_id:text user_id:text session_id:text key:text! value:json! fact_type:text!"
              + " confidence:real! times_confirmed:int! times_contradicted:int! source_episode_id:ref(memory_episodes)"
              + " source_description:text access_count:int! last_accessed:time created_at:time! updated_at:time!",
          "embedding").matching("scope", "agent_id", "user_id", "key"),
      // A procedure is identified by (agent_id, user_id, name), as the store's upsert does.
      uuidTable("memory_procedures", "id", Scope.ALL,
          "agent_id:text! user_id:text name:text! description:text! trigger_conditions:json! procedure_type:text!"
              + " procedure_content:json! times_used:int! times_succeeded:int! times_failed:int! avg_duration_ms:real"
              + " last_used_at:time source:text! parent_procedure_id:ref(memory_procedures) is_active:bool!"
              + " created_at:time! updated_at:time!").matching("agent_id", "user_id", "name"),
      // canonical_id, telegram_id and email are UNIQUE: a memory user with the same canonical_id is matched;
      // a telegram_id or email another memory user here has is imported as null.
      uuidTable("memory_users", "id", Scope.ALL,
          "canonical_id:text! display_name:text telegram_id:text telegram_username:text email:text"
              + " merged_into_id:ref(memory_users) preferences_cache:json! total_conversations:int!"
              + " last_conversation_at:time first_seen_at:time! last_seen_at:time! created_at:time! updated_at:time!")
          .matching("canonical_id").clearing("telegram_id", "email"),
      // Names are unique and name a folder: a workspace with the same name here is matched, not
      // duplicated (a copy would share its folder, and `default` must stay the default workspace).
      table("workspaces", "id", Scope.ALL,
          "name:text! path:text! allow_network:bool! env_vars:secret! created_at:time!"
              + " user_profile_id:ref(user_profiles)!").matching("name"),
      // The settings singleton: imported values overwrite the row here. detected_environment describes the
      // machine it was checked on; the target keeps its own.
      keyed("system_config", "id", KeyKind.SINGLETON, Scope.ALL,
          "default_llm_credential_id:ref(credentials) default_llm_model_name:text! default_timezone:text!"
              + " max_workflow_execution_seconds:int! confirmation_timeout_seconds:int! sandbox_code_execution:bool!"
              + " feature_flags:json! updated_at:time! sandbox_mode:text database_url:secret redis_url:secret"
              + " log_level:text log_file:text platform_base_url:text cors_allow_all_origins:bool"
              + " zombie_execution_threshold_seconds:int",
          "detected_environment"));

  public static Optional<Table> find(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private static Table table(String name, String key, Scope scope, String columns, String... excluded) {
    return new Table(name, key, KeyKind.SERIAL, scope, parse(columns), Set.of(excluded), List.of(), List.of());
  }

  private static Table uuidTable(String name, String key, Scope scope, String columns, String... excluded) {
    return new Table(name, key, KeyKind.UUID, scope, parse(columns), Set.of(excluded), List.of(), List.of());
  }

  private static Table keyed(String name, String key, KeyKind keyKind, Scope scope, String columns,
      String... excluded) {
    return new Table(name, key, keyKind, scope, parse(columns), Set.of(excluded), List.of(), List.of());
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
